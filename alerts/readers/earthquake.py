"""震度速報 (VXSE51) and 震源・震度に関する情報 (VXSE53): the intensity in Chuo City.

The ward's own intensity (市町村等 1310200) when reported, else that of 東京都２３区
(地震情報／細分区域 350), which is all a 震度速報 gives. Both telegrams of one quake share
its EventID, so they are one event: a later report that raises 震度4 to 5弱 is an update.
Hypocentre-only reports (震源に関する情報, 遠地地震) have no intensity for the ward.
"""

from __future__ import annotations

from cms.core.taxonomy import ward

from .base import Header, Reading, reads
from .words import INTENSITY_EN, INTENSITY_JA, INTENSITY_ORDER
from .xml import descendants, find, text

TOKYO_23_WARDS = "350"
NOTIFY_FROM = "3"
URGENT_FROM = "5-"


def _rank(intensity: str) -> int:
    return INTENSITY_ORDER.index(intensity) + 1 if intensity in INTENSITY_ORDER else 0


def ward_intensity(root) -> str:
    observation = find(root, "Body", "Intensity", "Observation")
    code = ward()["jma_area_code"]
    city = next((text(c, "MaxInt") for c in descendants(observation, "City")
                 if text(c, "Code") == code), "")
    area = next((text(a, "MaxInt") for a in descendants(observation, "Area")
                 if text(a, "Code") == TOKYO_23_WARDS), "")
    return city or area


@reads("震度速報", "震源・震度に関する情報")
def read_earthquake(root, head: Header) -> Reading:
    key = f"earthquake:{head.event_id}"
    intensity = ward_intensity(root)
    rank = _rank(intensity)
    urgent_from = _rank(URGENT_FROM)
    if rank < _rank(NOTIFY_FROM):
        seen = f"震度{INTENSITY_JA.get(intensity, intensity)}" if intensity else "震度の記載なし"
        return Reading("earthquake", key, 0, urgent_from, f"中央区周辺は{seen}（お知らせしない）",
                       mentions_ward=bool(intensity), one_off=True)
    ja = INTENSITY_JA.get(intensity, intensity)
    en = INTENSITY_EN.get(intensity, intensity)
    epicentre = text(find(root, "Body", "Earthquake", "Hypocenter", "Area"), "Name")
    where_ja = f"{epicentre}で " if epicentre else ""
    where_en = f" ({epicentre})" if epicentre else ""
    if rank >= urgent_from:
        todo_ja = "頭を 守って ください。火を 消して、落ち着いて 行動して ください。余震に 気を つけて ください。"
        todo_en = "Protect your head. Turn off fires and stay calm. Be ready for aftershocks."
    else:
        todo_ja, todo_en = "落ち着いて ください。", "Stay calm."
    return Reading(
        "earthquake", key, rank, urgent_from, f"中央区周辺で震度{ja}",
        headline_ja=f"地震: 中央区の あたりで 震度{ja}",
        headline_en=f"Earthquake: intensity {en} around Chuo City",
        body_ja=f"{where_ja}地震が ありました。中央区の あたりは 震度{ja}です。{todo_ja}",
        body_en=f"An earthquake{where_en} was felt with JMA intensity {en} around Chuo City. "
                f"{todo_en}",
        one_off=True,
    )
