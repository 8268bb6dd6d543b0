"""Hostile input for the public endpoints (contract §3a), as Hypothesis strategies.

What a careless or malicious client can send: NUL bytes, lone surrogates, bytes that
are not UTF-8, JSON nested 20,000 levels deep, numbers of 5,000 digits, wrong types
in every field, over-long strings, control characters, full-width forms.
"""

from __future__ import annotations

import json
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

# Every code point, lone surrogates included (Hypothesis leaves them out by default).
any_char = st.characters(exclude_categories=())

NASTY_STRINGS = [
    "", " ", "\x00", "a\x00b", "%00", "\ud800", "x\udfffy", "\ufeff", "\u202e", "\r\n", "\t",
    "😀" * 3, "１２３４", "０９０．１２３４．５６７８", "a＠example.jp", "javascript:alert(1)",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "${jndi:x}", "NaN",
    "ｺﾞﾐ", "ごみ", "粗大ごみ", "x" * 201, "あ" * 501, "y" * 5000, "-1", "0", "1e309",
    "9" * 5000, "null", "true", "[]", "{}",
]

HUGE_NUMBER = "1" * 5000  # past Python 3.11's int-to-str digit limit
HUGE_NUMBER_MARK = "\x07HUGE\x07"  # stands for HUGE_NUMBER until encode() writes it

# Bodies no JSON encoder would write, sent as raw bytes.
RAW_BODIES = [
    b"", b"null", b"[]", b"{}", b"0", b'""', b"\x00", b"\xff\xfe\xfd", b"{not json",
    b"[" * 20_000 + b"]" * 20_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    b"[" * 20_000, HUGE_NUMBER.encode(), b"-" + HUGE_NUMBER.encode(),
    b"1." + HUGE_NUMBER.encode(), b"1e" + HUGE_NUMBER.encode(), b"NaN", b"Infinity",
    b'"\\ud800"', b'{"message": "\\u0000"}', b'{"a": 1, "a": 2}', b"\xef\xbb\xbf{}",
    b'{"message": "\xed\xa0\x80"}', b" " * 70_000,
]

text = st.one_of(st.sampled_from(NASTY_STRINGS), st.text(any_char, max_size=40))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), text, st.just(HUGE_NUMBER_MARK),
)

json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(text, children, max_size=4),
    ),
    max_leaves=8,
)


def encode(value: object) -> bytes:
    """JSON bytes of `value`, with the huge-number mark written as 5,000 digits."""
    body = json.dumps(value, ensure_ascii=True, allow_nan=True)
    return body.replace(json.dumps(HUGE_NUMBER_MARK), HUGE_NUMBER).encode()


def replace_at(template: object, path: list, value: object) -> object:
    """A copy of `template` with the item at `path` (keys/indexes) replaced or removed."""
    if not path:
        return value
    copy = json.loads(json.dumps(template))
    node = copy
    for step in path[:-1]:
        node = node[step]
    if value is _DELETE:
        node.pop(path[-1], None) if isinstance(node, dict) else node.pop(path[-1])
    else:
        node[path[-1]] = value
    return copy


_DELETE = object()


def _paths(template: object, prefix: list | None = None) -> list[list]:
    prefix = prefix or []
    out = [prefix]
    if isinstance(template, dict):
        for key, child in template.items():
            out += _paths(child, prefix + [key])
    elif isinstance(template, list):
        for i, child in enumerate(template):
            out += _paths(child, prefix + [i])
    return out


def mutated(template: object) -> st.SearchStrategy[object]:
    """`template` with one field (at any depth) replaced by hostile JSON, or removed."""
    paths = _paths(template)
    return st.builds(
        replace_at, st.just(template), st.sampled_from(paths),
        st.one_of(json_values, st.just(_DELETE)),
    ).filter(lambda v: v is not _DELETE)


def json_bodies(*templates: object) -> st.SearchStrategy[bytes]:
    """Raw hostile bodies, hostile JSON, and valid bodies with one field made hostile."""
    return st.one_of(
        st.sampled_from(RAW_BODIES),
        st.binary(max_size=64),
        json_values.map(encode),
        st.one_of(*[mutated(t) for t in templates]).map(encode),
        st.one_of(*[mutated(t) for t in templates]).flatmap(mutated).map(encode),
    )


# Query-string values: any bytes, percent-encoded (Django decodes them as UTF-8).
query_values = st.one_of(
    st.sampled_from(NASTY_STRINGS).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=40),
    st.text(any_char, max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass")),
).map(lambda b: quote_from_bytes(b, safe=""))
