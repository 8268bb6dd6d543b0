"""How long building, validating and serving the open data takes (prints figures).

    uv run python bench/opendata_export.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django  # noqa: E402

django.setup()

from opendata.export import build_all  # noqa: E402
from opendata.validation import validate_bytes  # noqa: E402


def timed(func, repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


build_s, files = timed(build_all)
rows = sum(len(f.table.rows) for f in files)
size = sum(len(f.csv_bytes) + len(f.json_bytes) for f in files)
validate_s, _ = timed(lambda: [validate_bytes(f.dataset.csv_name, f.csv_bytes) for f in files])
cells = sum(len(f.table.rows) * len(f.dataset.header) for f in files)
print(f"datasets: {len(files)}, rows: {rows}, cells: {cells}, bytes (CSV+JSON): {size}")
print(f"build all datasets (median of 5): {build_s * 1000:.1f} ms")
print(f"validate all CSV files (median of 5): {validate_s * 1000:.1f} ms "
      f"({cells / validate_s / 1e6:.2f} M cells/s)")
