"""「オープンデータの活用例」: runnable examples shown on /opendata/ and run by the tests.

The scripts in this folder are what the page shows, byte for byte, so an example that
stops working with the real 03 file fails a test instead of misleading a data user.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..catalogue import by_slug

EXAMPLES_DIR = Path(__file__).resolve().parent
SCRIPTS = ("tsunami_sites", "evacuation_map")


@cache
def example_sources() -> dict[str, str]:
    return {name: (EXAMPLES_DIR / f"{name}.py").read_text(encoding="utf-8") for name in SCRIPTS}


def column_letter(index: int) -> str:
    """Excel's name of the column at 0-based `index` (0 → A, 28 → AC)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def excel_columns() -> dict[str, str]:
    """The Excel columns the page's COUNTIF/SUMIFS example uses, from the current header."""
    header = by_slug("evacuation_space").header
    flag, capacity = "災害種別_津波", "想定収容人数"
    return {"flag_name": flag, "flag_letter": column_letter(header.index(flag)),
            "capacity_name": capacity, "capacity_letter": column_letter(header.index(capacity))}
