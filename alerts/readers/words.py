"""Plain Japanese (やさしい日本語 style) and English words for JMA's terms."""

from __future__ import annotations

import re

PHENOMENA_EN = {
    "大雨": "heavy rain", "洪水": "flood", "暴風": "storm", "暴風雪": "snowstorm",
    "波浪": "high waves", "高潮": "storm surge", "大雪": "heavy snow", "強風": "strong wind",
    "風雪": "wind and snow", "雷": "thunderstorm", "乾燥": "dry air", "濃霧": "dense fog",
    "土砂災害": "landslide", "なだれ": "avalanche", "低温": "low temperature", "霜": "frost",
    "着氷": "icing", "着雪": "snow accretion", "融雪": "snowmelt",
}
GRADES = [("特別警報", "emergency warning"), ("危険警報", "danger warning"),
          ("警報", "warning"), ("注意報", "advisory")]
_LEVEL = re.compile(r"^レベル([０-９0-9])")
_ZEN = str.maketrans("０１２３４５６７８９", "0123456789")


def warning_en(name: str) -> str:
    """"レベル４大雨危険警報" -> "Level 4 heavy rain danger warning"."""
    level = ""
    if m := _LEVEL.match(name):
        level = f"Level {m.group(1).translate(_ZEN)} "
        name = name[m.end():]
    for grade_ja, grade_en in GRADES:
        if name.endswith(grade_ja):
            phenomenon = name[: -len(grade_ja)]
            return f"{level}{PHENOMENA_EN.get(phenomenon, phenomenon)} {grade_en}".strip()
    return level + name


def grade_rank(name: str) -> int:
    """特別警報 4, 危険警報 3, 警報 2, 注意報 1 (the 2026 levels are in the name)."""
    for rank, (grade, _) in zip((4, 3, 2, 1), GRADES, strict=True):
        if name.endswith(grade):
            return rank
    return 0


INTENSITY_ORDER = ["1", "2", "3", "4", "5-", "5+", "6-", "6+", "7"]
INTENSITY_JA = {"5-": "5弱", "5+": "5強", "6-": "6弱", "6+": "6強"}
INTENSITY_EN = {"5-": "5 lower", "5+": "5 upper", "6-": "6 lower", "6+": "6 upper"}
