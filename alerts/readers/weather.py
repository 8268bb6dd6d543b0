"""気象警報・注意報 for the ward (市町村等 code 1310200).

VPWW53 「気象特別警報・警報・注意報」 carries every phenomenon in one telegram. From 2026
JMA splits warnings by phenomenon with levels in the names (「レベル４大雨危険警報」):
「気象警報・注意報（Ｒ０６）（大雨）」 and the like; each of those is its own event, since
each telegram only speaks for its phenomenon. VPWW54 「気象警報・注意報（Ｈ２７）」 and VPWW50
repeat VPWW53's content and are deliberately not handled (one alarm, not two).
"""

from __future__ import annotations

from cms.core.taxonomy import ward

from .base import Header, Reading, reads
from .words import grade_rank, warning_en
from .xml import children, find, text

CITY_WARNINGS = "気象警報・注意報（市町村等）"
NOT_IN_FORCE = {"解除", "発表警報・注意報はなし"}
R06_TITLES = [f"気象警報・注意報（Ｒ０６）（{p}）"
              for p in ("大雨", "土砂", "土砂災害", "高潮", "暴風", "波浪", "大雪", "その他注意報")]


def _ward_kinds(root, code: str) -> list[tuple[str, str]] | None:
    """(name, status) of each warning for the ward; None when the ward is not listed."""
    for warning in children(find(root, "Body"), "Warning"):
        if warning.get("type") != CITY_WARNINGS:
            continue
        for item in children(warning, "Item"):
            if text(item, "Area", "Code") == code:
                return [(text(k, "Name"), text(k, "Status")) for k in children(item, "Kind")]
    return None


@reads("気象特別警報・警報・注意報", *R06_TITLES)
def read_warnings(root, head: Header) -> Reading:
    code = ward()["jma_area_code"]
    group = head.title.rsplit("（", 1)[-1].rstrip("）") if head.title in R06_TITLES else "all"
    key = f"weather:{group}:{code}"
    kinds = _ward_kinds(root, code)
    if kinds is None:
        # The ward is not in this telegram (another prefecture, or a partial update).
        return Reading("weather_warning", key, 0, 2, "中央区の記載なし", mentions_ward=False)
    in_force = [n for n, s in kinds if n and s not in NOT_IN_FORCE]
    in_force.sort(key=grade_rank, reverse=True)
    rank = max((grade_rank(n) for n in in_force), default=0)
    if not in_force:
        return Reading("weather_warning", key, 0, 2, "中央区の警報・注意報はすべて解除",
                       headline_ja="中央区の 警報・注意報は 解除されました",
                       headline_en="All weather warnings for Chuo City have been lifted",
                       body_ja="大雨や 風の 警報・注意報は なくなりました。",
                       body_en="No weather warnings or advisories are in force for Chuo City.",
                       ends_event=True)
    names = "、".join(in_force)
    names_en = ", ".join(warning_en(n) for n in in_force)
    if rank >= 4:
        todo_ja, todo_en = ("命を 守る 行動を すぐに して ください。",
                            "Take action now to protect your life.")
    elif rank >= 2:
        todo_ja, todo_en = ("外に 出るのは 危ないです。区の 情報を 確認して ください。",
                            "It is dangerous outside. Check the ward's information.")
    else:
        todo_ja, todo_en = ("これからの 天気に 気を つけて ください。",
                            "Keep an eye on the weather.")
    return Reading(
        "weather_warning", key, rank, 2, names,
        headline_ja=f"中央区に {names}",
        headline_en=f"Chuo City: {names_en}"[:120],
        body_ja=f"中央区に {names} が 出て います。{todo_ja}",
        body_en=f"In force for Chuo City: {names_en}. {todo_en}",
    )
