"""津波警報・注意報・予報 (VTSE41) and 津波情報 (VTSE51) for 東京湾内湾 (津波予報区 312),
the forecast area of the ward's shore. The Control/Title of both ends in a Latin "a"
(「津波警報・注意報・予報a」, 「津波情報a」) in JMA's current telegrams; the older titles
without it are those of JMA's 2010-2012 samples and are read the same way."""

from __future__ import annotations

from .base import Header, Reading, reads
from .xml import children, find, text

TOKYO_BAY = "312"  # 東京湾内湾
RANKS = {"大津波警報": 3, "津波警報": 2, "津波注意報": 1}
EN = {"大津波警報": "Major tsunami warning", "津波警報": "Tsunami warning",
      "津波注意報": "Tsunami advisory"}


def _category(root) -> str | None:
    for item in children(find(root, "Body", "Tsunami", "Forecast"), "Item"):
        if text(item, "Area", "Code") == TOKYO_BAY:
            return text(item, "Category", "Kind", "Name")
    return None


@reads("津波警報・注意報・予報a", "津波警報・注意報・予報", "津波情報a", "津波情報")
def read_tsunami(root, head: Header) -> Reading:
    key = f"tsunami:{head.event_id}:{TOKYO_BAY}"
    category = _category(root)
    if category is None:
        return Reading("tsunami", key, 0, 2, "東京湾内湾の記載なし", mentions_ward=False)
    name = category.removesuffix("：発表")
    rank = RANKS.get(name, 0)
    if rank == 0:
        return Reading("tsunami", key, 0, 2, f"東京湾内湾: {category}",
                       headline_ja="東京湾の 津波の 警報・注意報は 解除されました",
                       headline_en="Tsunami warnings for Tokyo Bay have been lifted",
                       body_ja="東京湾内湾の 津波の 警報・注意報は なくなりました。"
                               "海の 近くでは まだ 気を つけて ください。",
                       body_en="No tsunami warning or advisory is in force for inner Tokyo Bay. "
                               "Take care near the water.",
                       ends_event=True)
    if rank >= 2:
        todo_ja = "海や 川の 近くから すぐに 離れて、高い 建物の 上に 逃げて ください。"
        todo_en = "Leave the waterfront and riversides now and go up a tall, sturdy building."
    else:
        todo_ja = "海や 川の 近くに 行かないで ください。"
        todo_en = "Stay away from the sea and riversides."
    return Reading(
        "tsunami", key, rank, 2, f"東京湾内湾: {name}",
        headline_ja=f"{name}（東京湾内湾）",
        headline_en=f"{EN[name]} for inner Tokyo Bay",
        body_ja=f"東京湾内湾に {name}が 出て います。{todo_ja}",
        body_en=f"{EN[name]} for inner Tokyo Bay, which includes Chuo City's shore. {todo_en}",
    )
