"""Reading what clients send (contract §3a): JSON bodies and text fields, checked once.

Every public JSON endpoint (chat, push, the LINE webhook) and form (feedback) reads its
input through here, so a hostile body gets a clear 400 instead of a 5xx:

- the body is strict UTF-8 and at most `max_bytes` long;
- JSON nests at most `max_depth` levels (checked *before* parsing: Python's json module
  would raise RecursionError on 20,000 levels);
- numbers have at most 30 digits and are finite (Python 3.11 refuses to convert
  integers of more than 4,300 digits; NaN and Infinity are not JSON);
- no string (key or value) holds NUL (PostgreSQL cannot store it) or a lone surrogate
  (`"\\ud800"` decodes to a str that no UTF-8 database or log can encode).

The standard library parser is kept (it is the reference implementation); only its
inputs and hooks are bounded here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

MAX_BYTES = 64 * 1024
MAX_DEPTH = 20
MAX_NUMBER_CHARS = 30

# NUL, and lone surrogates (paired ones never survive decoding as surrogates).
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class BadInput(ValueError):
    """Input a client sent that the hub will not act on; str() says why, for the 400."""


def has_bad_chars(text: str) -> bool:
    return bool(_BAD_CHARS.search(text))


def without_bad_chars(text: str) -> str:
    return _BAD_CHARS.sub("", text)


def check_text(value: str, what: str) -> str:
    """`value` unchanged, or BadInput when it holds NUL or a lone surrogate."""
    if has_bad_chars(value):
        raise BadInput(f"{what} contains characters that are not allowed (NUL or invalid text)")
    return value


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON `text` (strings skipped)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _number(text: str, kind):
    if len(text) > MAX_NUMBER_CHARS:
        raise BadInput("numbers may have at most 30 digits")
    value = kind(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise BadInput("numbers must be finite")
    return value


def _constant(name: str):
    raise BadInput(f"{name} is not valid JSON")


def _walk_strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


def decode(body: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> object:
    """The JSON value of `body`, or BadInput with a message fit for the client."""
    if len(body) > max_bytes:
        raise BadInput(f"request body is too large (at most {max_bytes} bytes)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput("request body must be JSON in UTF-8") from exc
    if nesting_depth(text) > max_depth:
        raise BadInput(f"JSON nests too deeply (at most {max_depth} levels)")
    try:
        value = json.loads(text, parse_int=lambda s: _number(s, int),
                           parse_float=lambda s: _number(s, float), parse_constant=_constant)
    except BadInput:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise BadInput("request body must be JSON") from exc
    for string in _walk_strings(value):
        check_text(string, "a JSON string")
    return value


def decode_object(body: bytes, **limits) -> dict:
    value = decode(body, **limits)
    if not isinstance(value, dict):
        raise BadInput("request body must be a JSON object")
    return value


def text_field(data: dict, name: str, *, max_length: int, required: bool = True,
               default: str | None = None) -> str | None:
    """`data[name]` as a string of at most `max_length` characters (NUL already refused)."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BadInput(f"{name} is required (a non-empty string)")
        return default
    if not isinstance(value, str):
        raise BadInput(f"{name} must be a string")
    if len(value) > max_length:
        raise BadInput(f"{name} is too long (at most {max_length} characters)")
    return check_text(value, name)


def choice_field(data: dict, name: str, choices: Iterable[str], default: str) -> str:
    value = data.get(name, default)
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise BadInput(f"{name} must be one of " + ", ".join(f'"{c}"' for c in choices))
    return value


def string_list_field(data: dict, name: str, *, max_items: int, max_length: int) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if (not isinstance(value, list) or len(value) > max_items
            or not all(isinstance(v, str) and len(v) <= max_length for v in value)):
        raise BadInput(f"{name} must be a list of at most {max_items} keys")
    return value
