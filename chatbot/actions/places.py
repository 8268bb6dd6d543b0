"""Where residents are: town (町) and district (地域) names found in a question.

The towns of each district come from the shared taxonomy (content/spec/taxonomy.yaml
`areas[].towns`), so the assistant, the notifier and the site agree on them.
Residents write 人形町 for 日本橋人形町, 3丁目 or 三丁目, and sometimes kana only
(はるみ), so each town is also matched by its short name and its reading.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from chuo_text import to_hiragana as hiragana

REPO = Path(__file__).resolve().parents[2]
TAXONOMY_FILE = Path(os.environ.get("CHATBOT_TAXONOMY", REPO / "content" / "spec" / "taxonomy.yaml"))
KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Area:
    key: str
    name: str  # 京橋地域
    towns: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """What a resident told us: a town (maybe with 丁目) or only a district."""

    area: Area
    town: str | None = None
    chome: int | None = None

    @property
    def label(self) -> str:
        if self.town:
            return f"{self.town}{self.chome}丁目" if self.chome else self.town
        return self.area.name


def normalize(text: str) -> str:
    """Full-width to half-width, and 三丁目 to 3丁目."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"([一二三四五六七八九])丁目", lambda m: f"{KANJI_DIGITS[m.group(1)]}丁目", text)


@cache
def areas() -> tuple[Area, ...]:
    data = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    return tuple(Area(a["key"], a["ja"], tuple(a["towns"])) for a in data["areas"])


@cache
def _readings() -> dict[str, str]:
    """Hiragana reading of every town name (SudachiPy), for kana-only questions."""
    try:
        from sudachipy import Dictionary
    except ImportError:  # the readings are a convenience, not a requirement
        return {}
    tokenizer = Dictionary(dict="core").tokenizer()
    readings = {}
    for area in areas():
        for town in area.towns:
            reading = "".join(m.reading_form() for m in tokenizer.tokenize(town))
            readings[hiragana(reading)] = town
    return readings


@cache
def _names() -> list[tuple[str, str, Area]]:
    """(name as written by residents, official town, area), longest name first."""
    names: list[tuple[str, str, Area]] = []
    for area in areas():
        for town in area.towns:
            names.append((normalize(town), town, area))  # 八重洲一丁目 is written 八重洲1丁目
            if town.startswith("日本橋") and len(town) > 4:
                names.append((town[3:], town, area))  # 人形町 for 日本橋人形町
            if town.startswith("八重洲"):
                names.append(("八重洲", town, area))
    return sorted(names, key=lambda n: -len(n[0]))


def town_area(town: str) -> Area | None:
    for area in areas():
        if town in area.towns:
            return area
    return None


def find_place(text: str) -> Place | None:
    """The town (or district) a question is about, or None."""
    text = normalize(text)
    for area in areas():
        if area.name in text or f"{area.name[:-2]}地区" in text:
            return Place(area)
    kana = hiragana(text)
    for name, town, area in _names():
        position = text.find(name)
        if position < 0:
            continue
        rest = text[position + len(name):]
        chome = re.match(r"\s*(\d{1,2})(?:丁目|-|−|ー|$|\s)", rest)
        if name == "八重洲" and chome and chome.group(1) in ("1", "2"):
            # 八重洲1丁目 (日本橋地域) and 八重洲2丁目 (京橋地域) are in different districts.
            town = "八重洲一丁目" if chome.group(1) == "1" else "八重洲二丁目"
            area = town_area(town) or area
        if town.endswith("丁目") or not chome:
            return Place(area, town)
        return Place(area, town, int(chome.group(1)))
    for reading, town in sorted(_readings().items(), key=lambda r: -len(r[0])):
        if len(reading) >= 3 and reading in kana:
            area = town_area(town)
            if area:
                return Place(area, town)
    return None
