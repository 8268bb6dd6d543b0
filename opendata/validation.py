"""Checks a dataset file against the national standard, cell by cell.

Every problem is reported as `file:row:column: message` (row as a spreadsheet shows it:
the header is row 1), so ward staff can open the file in Excel and go straight to it.

Any municipality's file can be checked, whatever its name: the dataset and the version
of the 定義書 it follows are recognised from the header (opendata/schemas lists the
current version and the older published ones), and the 全国地方公共団体コード in each
row decides whether the coordinates must lie inside Chuo City (131024) or inside Japan.

Why not the `frictionless` package: the schema files *are* Frictionless Table Schemas,
and the tests run frictionless on every export, but the hub checks files itself.
Frictionless would add ~20 dependencies and about a second of import time to every admin
request and CLI run, and the checks that matter most here (byte-exact header order,
recognising the version, BOM, the check digit, coordinates, e-mail/URL/phone/postal
formats that catch shifted columns) are custom checks in frictionless too. Its messages
would still have to be translated into the `file:row:column` form.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .catalogue import (
    LG_CODE,
    Column,
    Dataset,
    Layout,
    by_file_name,
    datasets,
    lg_code_check_digit,
)

BOM = b"\xef\xbb\xbf"

# Chuo City with a margin of roughly 500 m: 晴海・豊海 in the south, 東日本橋 in the
# north, 浜離宮 in the west, 晴海・佃 in the east. Catches swapped or mistyped coordinates.
WARD_LATITUDE = (35.640, 35.702)
WARD_LONGITUDE = (139.755, 139.800)
# Japan, 沖ノ鳥島 (20.42°N) to 択捉島 (45.56°N), 与那国島 (122.93°E) to 南鳥島 (153.99°E),
# for the files of other municipalities.
JAPAN_LATITUDE = (20.0, 46.0)
JAPAN_LONGITUDE = (122.0, 154.0)

_INTEGER = re.compile(r"-?\d+", re.ASCII)
_NUMBER = re.compile(r"-?\d+(\.\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2})", re.ASCII)
# 03-3543-0211, or the 定義書's own example form (00)0000-0000
_PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}|\(0\d{1,4}\)\d{1,4}-\d{3,4}", re.ASCII)
_LG_CODE = re.compile(r"\d{6}", re.ASCII)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", re.ASCII)
_URL = re.compile(r"https?://[^\s/]+[^\s]*", re.ASCII)
_POSTAL = re.compile(r"\d{3}-?\d{4}", re.ASCII)
# What a value of each kind must look like, and how the message says so. The e-mail, URL
# and postal-code checks also catch values that slid into the wrong column.
_NUMERIC = {
    "integer": (_INTEGER, "整数（半角数字）で書いてください"),
    "number": (_NUMBER, "数値（半角、小数点は「.」）で書いてください"),
}
_FORMATS = {
    "phone": (_PHONE, "電話番号は半角のハイフン区切り（例 03-3543-0211）で書いてください"),
    "email": (_EMAIL, "メールアドレスの形（例 info@city.example.lg.jp）ではありません（列がずれていませんか）"),
    "url": (_URL, "URL は http:// か https:// で始めてください（列がずれていませんか）"),
    "postal": (_POSTAL, "郵便番号は半角数字7桁（例 1048404）で書いてください"),
}
# Below this share of column names in common (of all the names in either) a header is not
# taken for a dataset.
_RECOGNISE_SHARE = 0.6


@dataclass(frozen=True)
class Violation:
    file: str
    row: int | str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


@dataclass
class FileReport:
    """What a file was taken for, and what is wrong with it."""

    file: str
    dataset: Dataset | None = None
    layout: Layout | None = None
    violations: list[Violation] = field(default_factory=list)

    @property
    def follows(self) -> str:
        """e.g. 「03 指定緊急避難場所一覧（第3.09版）」, for the summary line."""
        if self.dataset is None or self.layout is None:
            return "不明"
        return f"{self.dataset.label}（{self.layout.name}）"


def check_value(column: Column, value: str, lg_code: str = LG_CODE) -> str | None:
    """Why `value` is not acceptable in `column` of a row of municipality `lg_code`."""
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
        return _check_rule(column, value, lg_code)  # its own message says what is expected
    if column.type in _NUMERIC:
        pattern, expected = _NUMERIC[column.type]
        if not pattern.fullmatch(value):
            return f"{expected}：「{value}」"
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
    return None


def _check_rule(column: Column, value: str, lg_code: str) -> str | None:
    if column.rule == "lg_code":
        if not _LG_CODE.fullmatch(value):
            return f"全国地方公共団体コードは半角数字6桁です（中央区は 131024）：「{value}」"
        expected = lg_code_check_digit(value[:5])
        if int(value[5]) != expected:
            return (f"全国地方公共団体コード「{value}」の検査数字が合いません"
                    f"（{value[:5]} の検査数字は {expected}）")
    elif column.rule in ("latitude", "longitude"):
        return _check_coordinate(column, value, lg_code)
    elif column.rule in _FORMATS:
        pattern, expected = _FORMATS[column.rule]
        if not pattern.fullmatch(value):
            return f"{expected}：「{value}」"
    return None


def _check_coordinate(column: Column, value: str, lg_code: str) -> str | None:
    is_lat = column.rule == "latitude"
    if not _NUMBER.fullmatch(value):
        return f"{column.name}は10進の度（例 {'35.670599' if is_lat else '139.772010'}）で書いてください：「{value}」"
    if lg_code == LG_CODE:
        low, high = WARD_LATITUDE if is_lat else WARD_LONGITUDE
        where = "中央区"
    else:
        low, high = JAPAN_LATITUDE if is_lat else JAPAN_LONGITUDE
        where = "日本"
    if not low <= float(value) <= high:
        return (f"{column.name} {value} は{where}の範囲（{low}〜{high}）の外です"
                "（緯度と経度の入れ替わりや桁の誤り、列のずれはありませんか）")
    return None


def recognise(header: list[str], file: str = "") -> tuple[Dataset, Layout] | None:
    """The dataset and version a header follows: exactly, else the closest, else by file name.

    An exact match with any published version wins. Otherwise the layout sharing the most
    column names is taken, so a file with one misspelt or swapped column is still checked
    against its dataset (and told which names differ); the file name decides only when
    the header resembles nothing (e.g. every name misspelt).
    """
    candidates = [(d, layout) for d in datasets() for layout in d.layouts]
    for dataset, layout in candidates:
        if header == layout.header:
            return dataset, layout
    names = set(header)

    def share(item: tuple[Dataset, Layout]) -> float:
        wanted = set(item[1].header)
        return len(names & wanted) / len(names | wanted)

    best = max(candidates, key=share)  # ties: the first, i.e. the current version
    if share(best) >= _RECOGNISE_SHARE:
        return best
    named = by_file_name(file)
    return (named, named.layouts[0]) if named else None


def inspect_bytes(name: str, data: bytes, dataset: Dataset | None = None) -> FileReport:
    """Recognise and check one CSV file; with `dataset`, it must follow its current version.

    The ward's own export passes its dataset: it must be UTF-8 with BOM and follow the
    current 定義書 version. A file of any other municipality may follow any published
    version and may be saved without a BOM; one saved as Shift_JIS is told so once and
    then checked like the others.
    """
    report = FileReport(Path(name).name)
    file = report.file
    ours = dataset is not None or file.startswith(f"{LG_CODE}_")
    try:
        text = data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        if ours and not data.startswith(BOM):
            report.violations.append(_no_bom(file))
        try:
            # Many municipalities still publish Shift_JIS (市川市): say so once, then check
            # the content anyway, so one wrong encoding does not hide every other problem.
            text = data.decode("cp932")
        except UnicodeDecodeError:
            report.violations.append(Violation(file, row, "-", "UTF-8 として読めない文字があります（Shift_JIS で保存されていませんか）"))
            return report
        report.violations.append(Violation(file, 1, "-", "文字コードが Shift_JIS です。UTF-8 で保存してください"
                                           f"（{row}行目から UTF-8 として読めません。中身は Shift_JIS として読んで検査しました）"))
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        report.violations.append(Violation(file, 1, "-", "ファイルが空です（見出し行がありません）"))
        return report
    header = records[0]
    if dataset is not None:
        found = (dataset, dataset.layouts[0])
    else:
        found = recognise(header, file)
    if found is None:
        known = "、".join(d.label for d in datasets())
        report.violations.append(Violation(file, 1, "-", f"どの標準データセットのファイルか分かりません（見出しがどれにも似ていません。対応：{known}）"))
        return report
    report.dataset, report.layout = found
    columns = report.layout.columns
    codes = [r[0] for r in records[1:] if r and columns[0].rule == "lg_code"]
    ours = ours or LG_CODE in codes
    if ours and not data.startswith(BOM) and _no_bom(file) not in report.violations:
        report.violations.append(_no_bom(file))
    if ours and not report.layout.current:  # the ward publishes the current version only
        current = report.dataset.layouts[0]
        report.violations.append(Violation(file, 1, "-", f"見出しが旧い版（{report.layout.name}）です。"
                                           f"区のファイルは現行の{current.name}の見出しで作ってください"))
    problems, holds = _align(header, report.layout)
    report.violations += [Violation(file, 1, v.column, v.message) for v in problems]
    code_at = next((j for j, c in holds.items() if c.rule == "lg_code"), None)
    for row_number, record in enumerate(records[1:], start=2):
        if len(record) != len(header):
            report.violations.append(Violation(file, row_number, "-", f"この行は {len(record)} 列あります（見出しは {len(header)} 列）"))
            continue
        lg_code = record[code_at] if code_at is not None else ""
        for j, column in holds.items():
            if message := check_value(column, record[j], lg_code):
                report.violations.append(Violation(file, row_number, column.name, message))
    return report


def validate_bytes(name: str, data: bytes, dataset: Dataset | None = None) -> list[Violation]:
    """Every violation in one CSV file (see inspect_bytes)."""
    return inspect_bytes(name, data, dataset).violations


def _no_bom(file: str) -> Violation:
    return Violation(file, 1, "-", "文字コードが UTF-8（BOM付き）ではありません。Excel で開けるよう BOM 付きで保存してください")


def _align(header: list[str], layout: Layout) -> tuple[list[Violation], dict[int, Column]]:
    """What is wrong with a header, and which standard column each of its cells holds.

    The header is aligned with the standard one (difflib), so one inserted or missing
    column is reported once, not as every later column being misnamed, and the cells
    after it are still checked against the right column.
    """
    expected = layout.header
    problems: list[tuple[str, str]] = []
    holds: dict[int, Column] = {}
    missing: dict[str, int] = {}
    extra: list[tuple[str, int]] = []  # a list: Excel leaves several unnamed columns (ふじみ野市)
    matcher = difflib.SequenceMatcher(a=expected, b=header, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            holds |= {j1 + k: layout.columns[i1 + k] for k in range(i2 - i1)}
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            if i < i2 and j < j2:
                holds[j] = layout.columns[i]
                problems.append((expected[i], f"{j + 1}列目の見出しが「{header[j]}」です（標準の項目名は「{expected[i]}」、全角・半角も含めて同じにしてください）"))
            elif i < i2:
                missing[expected[i]] = i
            else:
                extra.append((header[j], j))
    for name, i in missing.items():
        moved = next((e for e in extra if e[0] == name), None)
        if moved:
            extra.remove(moved)
            j = moved[1]
            holds[j] = layout.columns[i]  # a moved column's cells are still checked
            problems.append((name, f"「{name}」が{j + 1}列目にあります（標準では{i + 1}列目です）"))
        else:
            problems.append((name, f"{i + 1}列目に標準の列「{name}」がありません"))
    for name, j in extra:
        problems.append((f"{j + 1}列目", f"標準にない列「{name}」があります"))
    return [Violation("", 1, column, message) for column, message in problems], holds


def _check_header(file: str, header: list[str], layout: Layout) -> list[Violation]:
    problems, _holds = _align(header, layout)
    return [Violation(file, 1, v.column, v.message) for v in problems]


def inspect_directory(directory: Path) -> tuple[list[FileReport], list[Violation]]:
    """Every CSV file in `directory`; and, where the ward's own files are, those missing."""
    present = sorted(directory.glob("*.csv"))
    reports = [inspect_bytes(path.name, path.read_bytes()) for path in present]
    missing: list[Violation] = []
    names = {p.name for p in present}
    if any(n.startswith(f"{LG_CODE}_") for n in names):
        for dataset in datasets():
            if dataset.csv_name not in names:
                missing.append(Violation(dataset.csv_name, "-", "-", f"{dataset.label} のファイルがありません"))
    return reports, missing


def validate_directory(directory: Path) -> list[Violation]:
    reports, missing = inspect_directory(directory)
    return [v for r in reports for v in r.violations] + missing
