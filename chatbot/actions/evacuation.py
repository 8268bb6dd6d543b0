"""The evacuation sites near a resident, from the ward's open data.

content/opendata/chuo_evacuation_sites.csv is the same file the open-data publisher
exports (指定緊急避難場所一覧). Sites in the resident's own town come first (closest
丁目 first), then the other sites of the district by distance; a disaster named in
the question (津波, 火事 …) keeps only the sites designated for it.
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .places import REPO, Place, areas, normalize

SITES_FILE = Path(
    os.environ.get(
        "CHATBOT_EVACUATION_SITES", REPO / "content" / "opendata" / "chuo_evacuation_sites.csv"
    )
)
DISASTER_LABELS = {
    "flood": "洪水",
    "storm_surge": "高潮",
    "earthquake": "地震",
    "tsunami": "津波",
    "inland_flooding": "内水氾濫",
    "large_fire": "大規模な火事",
}
DISASTER_WORDS = {
    "tsunami": ("津波", "つなみ"),
    "large_fire": ("火事", "火災", "大火", "かじ"),
    "storm_surge": ("高潮",),
    "flood": ("洪水", "大雨", "水害", "浸水", "氾濫"),
    "earthquake": ("地震", "じしん"),
}


@dataclass(frozen=True)
class Site:
    name: str
    address: str
    latitude: float
    longitude: float
    disaster_types: tuple[str, ...]
    capacity: int | None
    towns: tuple[tuple[str, int | None], ...]  # (town, 丁目) for each town in the address

    @property
    def disaster_label(self) -> str:
        return "・".join(DISASTER_LABELS.get(t, t) for t in self.disaster_types)


def _towns_in(address: str) -> tuple[tuple[str, int | None], ...]:
    found = []
    all_towns = sorted((t for a in areas() for t in a.towns), key=len, reverse=True)
    for part in re.split(r"[；;]", normalize(address)):
        part = part.replace("東京都", "").replace("中央区", "")
        for town in all_towns:
            base = town.rstrip("一二三四五六七八九0123456789丁目")
            if part.startswith(town) or (town.startswith("八重洲") and part.startswith(base)):
                chome = re.match(r"(\d+)", part[len(base if town.startswith("八重洲") else town):])
                found.append((town, int(chome.group(1)) if chome else None))
                break
    # 八重洲1/2丁目 are different towns in different districts: fix by the 丁目.
    fixed = []
    for town, chome in found:
        if town.startswith("八重洲") and chome in (1, 2):
            town = "八重洲一丁目" if chome == 1 else "八重洲二丁目"
        fixed.append((town, chome))
    return tuple(fixed)


@cache
def sites() -> tuple[Site, ...]:
    with SITES_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Site(
                name=row["name"],
                address=row["address"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                disaster_types=tuple(t for t in row["disaster_types"].split(";") if t),
                capacity=int(row["capacity"]) if row["capacity"].strip() else None,
                towns=_towns_in(row["address"]),
            )
            for row in csv.DictReader(handle)
        )


def disasters_in(text: str) -> list[str]:
    return [key for key, words in DISASTER_WORDS.items() if any(w in text for w in words)]


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    dx = (a[1] - b[1]) * 111.32 * math.cos(lat)
    dy = (a[0] - b[0]) * 110.57
    return math.hypot(dx, dy)


def _centre(chosen: list[Site]) -> tuple[float, float] | None:
    if not chosen:
        return None
    return (
        sum(s.latitude for s in chosen) / len(chosen),
        sum(s.longitude for s in chosen) / len(chosen),
    )


def nearest_sites(place: Place, disasters: list[str] | None = None, limit: int = 3) -> list[Site]:
    """The sites to suggest for `place`, best first."""
    candidates = [s for s in sites() if all(d in s.disaster_types for d in disasters or [])]
    in_area = [s for s in candidates if any(t in place.area.towns for t, _ in s.towns)]
    in_town = [s for s in in_area if place.town and any(t == place.town for t, _ in s.towns)]

    def chome_gap(site: Site) -> int:
        chomes = [c for t, c in site.towns if t == place.town and c is not None]
        return min((abs(c - place.chome) for c in chomes), default=9) if place.chome else 0

    ranked = sorted(in_town, key=lambda s: (chome_gap(s), -(s.capacity or 0)))
    centre = _centre(ranked[:1] or in_area) or _centre(candidates)
    rest = [s for s in (in_area or candidates) if s not in ranked]
    if centre:
        rest.sort(key=lambda s: _distance_km(centre, (s.latitude, s.longitude)))
    ranked += rest
    if len(ranked) < limit and centre:  # e.g. 津波 sites are few: look ward-wide
        others = [s for s in candidates if s not in ranked]
        others.sort(key=lambda s: _distance_km(centre, (s.latitude, s.longitude)))
        ranked += others
    return ranked[:limit]
