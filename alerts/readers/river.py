"""指定河川洪水予報 for the rivers whose flooding reaches the ward: 荒川 and 隅田川 (the ward's
hazard map: 荒川 overflowing is the ward's worst flood case; 隅田川 runs along the ward).

A telegram names its rivers under Head/Headline/Information[type=指定河川洪水予報（河川）].
The kind's code gives the level: 1x 解除, 2x 氾濫注意情報, 3x 氾濫警戒情報 (洪水警報),
4x 氾濫危険情報, 5x 氾濫発生情報. From 氾濫警戒情報 up it is a 洪水警報: urgent.
"""

from __future__ import annotations

from .base import Header, Reading, reads
from .xml import children, find, text

WARD_RIVERS = {"荒川", "隅田川"}
EN = {2: "flood alert", 3: "flood warning", 4: "flood danger warning", 5: "flooding has begun"}


@reads("指定河川洪水予報")
def read_river(root, head: Header) -> Reading:
    rivers, kind, code, area_code = [], "", "", ""
    for info in children(find(root, "Head", "Headline"), "Information"):
        for item in children(info, "Item"):
            names = [text(a, "Name") for a in children(find(item, "Areas"), "Area")]
            if info.get("type") == "指定河川洪水予報（河川）":
                rivers += names
                kind, code = text(item, "Kind", "Name"), text(item, "Kind", "Code")
            elif info.get("type") == "指定河川洪水予報（予報区域）":
                area_code = text(find(item, "Areas", "Area"), "Code")
    ours = [r for r in rivers if r in WARD_RIVERS]
    key = f"river:{area_code or head.event_id}"
    if not ours:
        return Reading("river_flood", key, 0, 2, "荒川・隅田川の記載なし", mentions_ward=False)
    river = "・".join(ours)
    level = int(code[0]) if code[:1].isdigit() else 0
    rank = max(level - 1, 0)
    if rank == 0:
        return Reading("river_flood", key, 0, 2, f"{river}: {kind or '解除'}",
                       headline_ja=f"{river}の 洪水の 情報は 解除されました",
                       headline_en="River flood warnings for the Arakawa / Sumida are lifted",
                       body_ja=f"{river}の 水は 少なく なりました。", body_en="The river level has fallen.",
                       ends_event=True)
    todo_ja = ("川の 近くから 離れて、高い ところに 逃げる 準備を して ください。" if rank >= 2
               else "川の 水が 増えて います。川に 近づかないで ください。")
    return Reading(
        "river_flood", key, rank, 2, f"{river}: {kind}",
        headline_ja=f"{river}: {kind}",
        headline_en=f"{'Arakawa' if '荒川' in ours else 'Sumida'} river: {EN.get(level, kind)}",
        body_ja=f"{river}に {kind}が 出て います。{todo_ja}",
        body_en=f"{EN.get(level, kind).capitalize()} for the river near Chuo City. "
                "Keep away from the river and be ready to move to higher floors.",
    )
