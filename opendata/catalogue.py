"""The ward's open-data catalogue: one declarative schema file per standard dataset.

The files in opendata/schemas/ are Frictionless Table Schemas (YAML) plus the dataset's
catalogue metadata. Editors correct a column list from the official 定義書A there, without
touching code; everything else (validation, export, the site page, CKAN) reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
REPO_DIR = SCHEMA_DIR.parents[1]
CONTENT_DIR = REPO_DIR / "content" / "opendata"

LG_CODE = "131024"  # 全国地方公共団体コード of Chuo City (check digit 4)
WARD_NAME = "中央区"
PREFECTURE = "東京都"
LICENSE_ID = "cc-by"
LICENSE_TITLE = "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"
ATTRIBUTION = "出典：中央区"
SAMPLE_REMARK = "サンプルデータ（実データではありません）"


@dataclass(frozen=True)
class Column:
    """One standard column (項目名) with what a value must look like."""

    name: str
    type: str = "string"
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    rule: str = ""  # lg_code | latitude | longitude | phone | email | url | postal
    provisional: bool = False
    mark: str = ""  # 掲載区分 of the 定義書: 必須 | 推奨 | 任意 ("" where not transcribed)
    format: str = ""  # Table Schema format; times are "%H:%M" (the 定義書's hh:mm)

    @classmethod
    def from_field(cls, spec: dict) -> Column:
        constraints = spec.get("constraints") or {}
        return cls(
            name=spec["name"],
            type=spec.get("type", "string"),
            required=bool(constraints.get("required", False)),
            enum=tuple(str(v) for v in constraints.get("enum", ())),
            minimum=constraints.get("minimum"),
            rule=spec.get("rule", ""),
            provisional=bool(spec.get("provisional", False)),
            mark=spec.get("mark", ""),
            format=spec.get("format", ""),
        )

    def renamed(self, name: str) -> Column:
        """The same column under the name an older version of the 定義書 gave it."""
        return replace(self, name=name)

    @property
    def what(self) -> str:
        """How the column is described to a data user on the catalogue page."""
        kinds = {"integer": "整数", "number": "数値", "date": "日付（YYYY-MM-DD）",
                 "time": "時刻（hh:mm）"}
        rules = {"lg_code": "全国地方公共団体コード（6桁）", "latitude": "緯度（世界測地系・10進）",
                 "longitude": "経度（世界測地系・10進）", "phone": "電話番号（ハイフン区切り）",
                 "email": "メールアドレス", "url": "URL（http:// または https://）",
                 "postal": "郵便番号（7桁）"}
        if self.rule:
            return rules[self.rule]
        if self.enum == ("1",):
            return "該当すれば「1」、該当しなければ空欄"
        if self.enum:
            return "「" + "」「".join(self.enum) + "」のいずれか"
        return kinds.get(self.type, "文字列")


@dataclass(frozen=True)
class Layout:
    """One published column list of a dataset: the current 定義書 version or an older one."""

    name: str  # e.g. 第3.09版, 2020年版 推奨データセット
    source: str  # where the column list was confirmed
    columns: tuple[Column, ...]
    current: bool

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Dataset:
    """One 自治体標準オープンデータセット as the ward publishes it."""

    no: str
    slug: str
    title: str
    title_en: str
    description: str
    category: str  # the ward's own grouping, on the site and in CKAN
    update_frequency: str
    builder: str
    provisional: bool
    sample: bool
    department: str
    columns: tuple[Column, ...]
    source: str = ""
    classification: str = ""  # 分類 in 06 オープンデータ一覧: one of the definition's 17 values
    attribution: str = ATTRIBUTION
    provenance: str = ""
    definition: dict = field(default_factory=dict, compare=False)
    older: tuple[Layout, ...] = ()
    schema_file: Path = field(default=SCHEMA_DIR, compare=False)

    @property
    def version(self) -> str:
        """The 定義書 version the export follows (第3.09版), as the schema file records it."""
        return str(self.definition.get("version") or "版未確認")

    @property
    def layouts(self) -> tuple[Layout, ...]:
        """The current layout first, then the older published ones files may still follow."""
        current = Layout(self.version, str(self.definition.get("columns_source", "")),
                         self.columns, current=True)
        return (current, *self.older)

    @property
    def file_stem(self) -> str:
        return f"{LG_CODE}_{self.slug}"

    @property
    def csv_name(self) -> str:
        return f"{self.file_stem}.csv"

    @property
    def json_name(self) -> str:
        return f"{self.file_stem}.json"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def ckan_name(self) -> str:
        """CKAN dataset name: lowercase ASCII, unique per ward."""
        return f"{LG_CODE}-{self.slug.replace('_', '-')}"

    @property
    def any_provisional(self) -> bool:
        return self.provisional or any(c.provisional for c in self.columns)

    @property
    def label(self) -> str:
        return f"{self.no} {self.title}"


def _older_layout(path: Path, spec: dict, columns: tuple[Column, ...]) -> Layout:
    """An older version's header, each column checked like its current counterpart."""
    by_name = {c.name: c for c in columns}
    renamed = spec.get("renamed") or {}
    layout = []
    for name in spec["header"]:
        if not isinstance(name, str):
            raise ValueError(f"{path.name}: column name {name!r} must be quoted")
        current = by_name.get(renamed.get(name, name))
        layout.append(current.renamed(name) if current else Column(name))
    return Layout(spec["name"], spec.get("source", ""), tuple(layout), current=False)


def _load(path: Path) -> Dataset:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    columns = tuple(Column.from_field(f) for f in data["schema"]["fields"])
    for column in columns:
        if not isinstance(column.name, str):  # YAML reads a bare NO or Yes as a boolean
            raise ValueError(f"{path.name}: column name {column.name!r} must be quoted")
    older = tuple(_older_layout(path, v, columns) for v in data.get("versions") or ())
    return Dataset(
        no=str(data["number"]),
        slug=data["slug"],
        title=data["title"],
        title_en=data.get("title_en", ""),
        description=data.get("description", ""),
        category=data.get("category", ""),
        update_frequency=data.get("update_frequency", ""),
        builder=data.get("builder", data["slug"]),
        provisional=bool(data.get("provisional", False)),
        sample=bool(data.get("sample", False)),
        department=data.get("department", ""),
        columns=columns,
        source=data.get("source", ""),
        classification=data.get("classification", ""),
        attribution=data.get("attribution", ATTRIBUTION),
        provenance=data.get("provenance", ""),
        definition=data.get("definition") or {},
        older=older,
        schema_file=path,
    )


@cache
def datasets() -> tuple[Dataset, ...]:
    """Every dataset the ward publishes, in the official numbering order."""
    return tuple(_load(p) for p in sorted(SCHEMA_DIR.glob("*.yaml")))


def by_slug(slug: str) -> Dataset | None:
    return next((d for d in datasets() if d.slug == slug), None)


_FILE_NAME = re.compile(r"(?:\d{6}_)?(?P<slug>[a-z_]+?)(?:[-_ ]?\d*)?", re.ASCII)


def by_file_name(name: str) -> Dataset | None:
    """The dataset a file such as 131024_evacuation_space.csv or 222127_aed-51036.csv names."""
    match = _FILE_NAME.fullmatch(Path(name).stem)
    return by_slug(match["slug"]) if match else None


def lg_code_check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード: weights 6..2, r = sum mod 11, (11 - r) mod 10."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10
