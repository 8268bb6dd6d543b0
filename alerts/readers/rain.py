"""記録的短時間大雨情報 (VPOA50). JMA issues it by 発表細分 (一次細分区域); the ward lies in
東京地方 (130010). It is an observation: info, with no lifting; the warnings themselves
come in 気象警報・注意報."""

from __future__ import annotations

from .base import Header, Reading, reads
from .xml import children, find, text

TOKYO_REGION = "130010"  # 東京地方


@reads("記録的短時間大雨情報")
def read_heavy_rain(root, head: Header) -> Reading:
    key = f"heavy_rain:{head.event_id or head.report_at}"
    issued = any(text(item, "Area", "Code") == TOKYO_REGION and text(item, "Kind", "Status") == "発表"
                 for warning in children(find(root, "Body"), "Warning")
                 for item in children(warning, "Item"))
    if not issued:
        return Reading("heavy_rain", key, 0, 99, "東京地方の記載なし", mentions_ward=False,
                       one_off=True)
    return Reading(
        "heavy_rain", key, 1, 99, "東京地方に記録的短時間大雨情報",
        headline_ja="東京で とても 強い 雨が 降りました",
        headline_en="Record short-term heavy rain in the Tokyo area",
        body_ja="東京地方で とても 強い 雨が 降りました。低い 土地や 地下に 水が 入る "
                "おそれが あります。地下や 川の 近くに 行かないで ください。",
        body_en="Record-breaking short-term heavy rain has been observed in the Tokyo area. "
                "Low-lying places and basements may flood.",
        one_off=True,
    )
