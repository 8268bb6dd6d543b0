"""Turns each dataset into the files users download: UTF-8 (BOM) CSV and UTF-8 JSON.

The same bytes are written by `python -m opendata export`, served by /opendata/ and
uploaded to CKAN, so the content hash that decides whether CKAN needs a new upload is
the hash of exactly what users get. Nothing time-dependent goes into the files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .catalogue import (
    ATTRIBUTION,
    LICENSE_ID,
    LICENSE_TITLE,
    LICENSE_URL,
    Dataset,
    datasets,
)
from .sources import Table, build
from .validation import BOM, Violation, validate_bytes


@dataclass(frozen=True)
class DatasetFiles:
    dataset: Dataset
    table: Table
    csv_bytes: bytes
    json_bytes: bytes

    @property
    def modified(self) -> date | None:
        return self.table.modified

    @property
    def has_sample_rows(self) -> bool:
        return self.dataset.sample or self.table.sample_rows > 0

    @property
    def csv_hash(self) -> str:
        return hashlib.sha256(self.csv_bytes).hexdigest()

    @property
    def json_hash(self) -> str:
        return hashlib.sha256(self.json_bytes).hexdigest()

    def file(self, name: str) -> tuple[bytes, str] | None:
        """(content, media type) of one of this dataset's downloads."""
        if name == self.dataset.csv_name:
            return self.csv_bytes, "text/csv; charset=utf-8"
        if name == self.dataset.json_name:
            return self.json_bytes, "application/json; charset=utf-8"
        return None

    def violations(self) -> list[Violation]:
        return validate_bytes(self.dataset.csv_name, self.csv_bytes, self.dataset)


def render_csv(dataset: Dataset, rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # CRLF: RFC 4180, and what Excel writes
    writer.writerow(dataset.header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in dataset.header])
    return BOM + buffer.getvalue().encode("utf-8")


def render_json(dataset: Dataset, table: Table) -> bytes:
    document = {
        "name": dataset.title,
        "no": dataset.no,
        "file": dataset.csv_name,
        "license": {"id": LICENSE_ID, "title": LICENSE_TITLE, "url": LICENSE_URL},
        "attribution": dataset.attribution or ATTRIBUTION,
        "sample": dataset.sample or table.sample_rows > 0,
        "provisional_columns": dataset.provisional,
        "definition": {"document": dataset.definition.get("document", ""), "version": dataset.version},
        "gaps": table.gaps,
        "modified": table.modified.isoformat() if table.modified else None,
        "columns": dataset.header,
        "records": [{name: row.get(name, "") for name in dataset.header} for row in table.rows],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def build_all() -> list[DatasetFiles]:
    """Every dataset's files; 06 オープンデータ一覧 last, since it describes the others."""
    tables: dict[str, Table] = {}
    ordered = sorted(datasets(), key=lambda d: d.builder == "open_data_list")
    for dataset in ordered:
        tables[dataset.slug] = build(dataset, {"tables": tables})
    return [
        DatasetFiles(d, tables[d.slug], render_csv(d, tables[d.slug].rows),
                     render_json(d, tables[d.slug]))
        for d in datasets()
    ]


def write_all(out_dir: Path, files: list[DatasetFiles]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for item in files:
        for name, content in ((item.dataset.csv_name, item.csv_bytes),
                              (item.dataset.json_name, item.json_bytes)):
            path = out_dir / name
            path.write_bytes(content)
            written.append(path)
    return written
