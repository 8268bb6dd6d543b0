"""Topics and districts as the notifier stores them: small bit masks.

Targeting 220,000 residents has to be one SQL statement, so a subscriber's topics and
districts are integers and matching is a bitwise AND (works on SQLite and PostgreSQL).
Bits are fixed here, never derived from the order of taxonomy.yaml: a key added to the
taxonomy gets the next free bit (a test checks every taxonomy key has one). Keys come
from taxonomy.yaml; the labels residents read come from the admin's snippets.
"""

from __future__ import annotations

from collections.abc import Iterable

from cms.core.taxonomy import taxonomy

TOPIC_BITS: dict[str, int] = {
    "bosai": 1 << 0,
    "kosodate": 1 << 1,
    "kenko": 1 << 2,
    "gomi": 1 << 3,
    "zei": 1 << 4,
    "kurashi": 1 << 5,
    "event": 1 << 6,
}
AREA_BITS: dict[str, int] = {
    "kyobashi": 1 << 0,
    "nihonbashi": 1 << 1,
    "tsukishima": 1 << 2,
}
WHOLE_WARD = "all"  # a subscriber's or notice's "areas" value meaning the whole ward


class UnknownKey(ValueError):
    """A topic or district key that is not in taxonomy.yaml."""


def _mask(keys: Iterable[str], bits: dict[str, int], what: str) -> int:
    mask = 0
    for key in keys:
        if key not in bits:
            raise UnknownKey(f"unknown {what}: {key!r} (choose from {', '.join(bits)})")
        mask |= bits[key]
    return mask


def topic_mask(keys: Iterable[str]) -> int:
    return _mask(keys, TOPIC_BITS, "topic")


def area_mask(keys: Iterable[str]) -> int:
    """0 means the whole ward: no district chosen, or "all" among them."""
    keys = list(keys)
    if WHOLE_WARD in keys:
        return 0
    return _mask(keys, AREA_BITS, "area")


def topics_of(mask: int) -> list[str]:
    return [key for key, bit in TOPIC_BITS.items() if mask & bit]


def areas_of(mask: int) -> list[str]:
    return [key for key, bit in AREA_BITS.items() if mask & bit]


def _terms(kind: str) -> list[tuple[str, dict[str, str]]]:
    """(key, {"ja": label, "en": label}) in taxonomy order, with the labels editors keep in
    the admin (区の基本情報 → 分類 / 地域 snippets); the file's label for a key not loaded yet."""
    from cms.core.models import Area, Topic

    model = Topic if kind == "topics" else Area
    edited = {t.key: {"ja": t.name_ja, "en": t.name_en} for t in model.objects.all()}
    return [(t["key"], edited.get(t["key"], {"ja": t["ja"], "en": t["en"]}))
            for t in taxonomy()[kind]]


def topic_label(key: str, lang: str = "ja") -> str:
    return dict(_terms("topics")).get(key, {}).get(lang, key)


def area_label(key: str, lang: str = "ja") -> str:
    if key == WHOLE_WARD:
        return "区内全域" if lang == "ja" else "Whole ward"
    return dict(_terms("areas")).get(key, {}).get(lang, key)


def topic_choices(lang: str = "ja") -> list[tuple[str, str]]:
    return [(key, labels[lang]) for key, labels in _terms("topics")]


def area_choices(lang: str = "ja") -> list[tuple[str, str]]:
    return [(key, labels[lang]) for key, labels in _terms("areas")]
