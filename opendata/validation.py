"""Checks a dataset file against its standard schema, cell by cell.

Every problem is reported as `file:row:column: message` (row as a spreadsheet shows it:
the header is row 1), so ward staff can open the file in Excel and go straight to it.

Why not the `frictionless` package: the schema files *are* Frictionless Table Schemas,
so anyone can run frictionless on them, but the hub checks them itself. Frictionless
would add ~20 dependencies and about a second of import time to every admin request
and CLI run, and the checks that matter most here (byte-exact header order, BOM,
全国地方公共団体コード check digit, coordinates inside the ward, 有/無 and flag
vocabularies) are custom checks in frictionless too. Its error messages would still
have to be translated into this `file:row:column` form. A 200-line checker is simpler.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .catalogue import Column, Dataset, by_file_name, datasets, lg_code_check_digit

BOM = b"\xef\xbb\xbf"

# Chuo City with a margin of roughly 500 m: 晴海・豊海 in the south, 東日本橋 in the
# north, 浜離宮 in the west, 晴海・佃 in the east. Catches swapped or mistyped coordinates.
WARD_LATITUDE = (35.640, 35.702)
WARD_LONGITUDE = (139.755, 139.800)

_INTEGER = re.compile(r"-?\d+", re.ASCII)
_NUMBER = re.compile(r"-?\d+(\.\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2})", re.ASCII)
_PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}", re.ASCII)
_LG_CODE = re.compile(r"\d{6}", re.ASCII)


@dataclass(frozen=True)
class Violation:
    file: str
    row: int | str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


def check_value(column: Column, value: str) -> str | None:
    """Why `value` is not acceptable in `column`, or None when it is."""
    if value == "":
        return "必須の項目が空です" if column.required else None
    if value != value.strip():
        return f"前後に空白があります：「{value}」"
    if column.enum:
        if value in column.enum:
            return None
        if column.enum == ("1",):
            return f"該当する場合は「1」、該当しない場合は空欄にしてください：「{value}」"
        return "「" + "」「".join(column.enum) + f"」のどれかで書いてください：「{value}」"
    if column.rule:
        return _check_rule(column, value)  # its own message says what is expected
    if column.type == "integer":
        if not _INTEGER.fullmatch(value):
            return f"整数（半角数字）で書いてください：「{value}」"
    elif column.type == "number":
        if not _NUMBER.fullmatch(value):
            return f"数値（半角、小数点は「.」）で書いてください：「{value}」"
    elif column.type == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            return f"日付は YYYY-MM-DD（例 2026-04-01）で書いてください：「{value}」"
    elif column.type == "time":
        match = _TIME.fullmatch(value)
        if not match or int(match[2]) > 59 or (int(match[1]), int(match[2])) > (24, 0):
            return f"時刻は hh:mm（例 09:00）で書いてください：「{value}」"
    if column.minimum is not None and column.type in ("integer", "number"):
        if float(value) < column.minimum:
            return f"{column.minimum:g} 以上の値にしてください：「{value}」"
    return _check_rule(column, value)


def _check_rule(column: Column, value: str) -> str | None:
    if column.rule == "lg_code":
        if not _LG_CODE.fullmatch(value):
            return f"全国地方公共団体コードは半角数字6桁です（中央区は 131024）：「{value}」"
        expected = lg_code_check_digit(value[:5])
        if int(value[5]) != expected:
            return (f"全国地方公共団体コード「{value}」の検査数字が合いません"
                    f"（{value[:5]} の検査数字は {expected}）")
    elif column.rule in ("latitude", "longitude"):
        is_lat = column.rule == "latitude"
        low, high = WARD_LATITUDE if is_lat else WARD_LONGITUDE
        if not _NUMBER.fullmatch(value):
            return f"{column.name}は10進の度（例 {'35.670599' if is_lat else '139.772010'}）で書いてください：「{value}」"
        if not low <= float(value) <= high:
            return (f"{column.name} {value} は中央区の範囲（{low}〜{high}）の外です"
                    "（緯度と経度の入れ替わりや桁の誤りはありませんか）")
    elif column.rule == "phone":
        if not _PHONE.fullmatch(value):
            return f"電話番号は半角のハイフン区切り（例 03-3543-0211）で書いてください：「{value}」"
    return None


def validate_bytes(name: str, data: bytes, dataset: Dataset | None = None) -> list[Violation]:
    """Every violation in one CSV file named `name` (e.g. 131024_evacuation_space.csv)."""
    file = Path(name).name
    dataset = dataset or by_file_name(file)
    if dataset is None:
        known = ", ".join(d.csv_name for d in datasets())
        return [Violation(file, 1, "-", f"どの標準データセットのファイルか分かりません（ファイル名は {known} のどれかです）")]
    problems: list[Violation] = []
    if not data.startswith(BOM):
        problems.append(Violation(file, 1, "-", "文字コードが UTF-8（BOM付き）ではありません。Excel で開けるよう BOM 付きで保存してください"))
    try:
        text = data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        problems.append(Violation(file, row, "-", "UTF-8 として読めない文字があります（Shift_JIS で保存されていませんか）"))
        return problems

    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        return [*problems, Violation(file, 1, "-", "ファイルが空です（見出し行がありません）")]
    problems += _check_header(file, records[0], dataset)
    expected = dataset.header
    if len(records[0]) != len(expected):
        return problems  # cells cannot be matched to columns; the header messages say why
    for row_number, record in enumerate(records[1:], start=2):
        if len(record) != len(expected):
            problems.append(Violation(file, row_number, "-", f"この行は {len(record)} 列あります（見出しは {len(expected)} 列）"))
            continue
        for column, value in zip(dataset.columns, record, strict=True):
            if message := check_value(column, value):
                problems.append(Violation(file, row_number, column.name, message))
    return problems


def _check_header(file: str, header: list[str], dataset: Dataset) -> list[Violation]:
    expected = dataset.header
    problems = []
    for index, want in enumerate(expected):
        got = header[index] if index < len(header) else None
        if got is None:
            problems.append(Violation(file, 1, want, f"{index + 1}列目に標準の列「{want}」がありません"))
        elif got != want:
            problems.append(Violation(file, 1, want, f"{index + 1}列目の見出しが「{got}」です（標準の項目名は「{want}」、全角・半角も含めて同じにしてください）"))
    for index in range(len(expected), len(header)):
        problems.append(Violation(file, 1, f"{index + 1}列目", f"標準にない列「{header[index]}」があります"))
    return problems


def validate_directory(directory: Path) -> list[Violation]:
    """Every CSV file in `directory`, plus every standard dataset that has no file there."""
    problems: list[Violation] = []
    present = sorted(directory.glob("*.csv"))
    for path in present:
        problems += validate_bytes(path.name, path.read_bytes())
    names = {p.name for p in present}
    for dataset in datasets():
        if dataset.csv_name not in names:
            problems.append(Violation(dataset.csv_name, "-", "-", f"{dataset.label} のファイルがありません"))
    return problems
