"""Where each dataset's rows come from: content/opendata/ files, or the CMS itself.

A builder returns the rows keyed by the standard column names, plus the date the data
was last updated. Source mistakes (an unknown column, a file that is missing) raise
SourceError with the file and row, so nothing is silently dropped from a dataset.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from .catalogue import (
    CONTENT_DIR,
    LG_CODE,
    PREFECTURE,
    REPO_DIR,
    SAMPLE_REMARK,
    WARD_NAME,
    Dataset,
)


class SourceError(Exception):
    """A source file the dataset cannot be built from (message: `file:row:column: why`)."""


@dataclass
class Table:
    rows: list[dict[str, str]]
    modified: date | None = None
    sample_rows: int = field(default=0)
    # What the ward's sources cannot fill, said to data users on the page and in the JSON.
    gaps: list[str] = field(default_factory=list)


Builder = Callable[[Dataset, dict], Table]
BUILDERS: dict[str, Builder] = {}


def builder(name: str) -> Callable[[Builder], Builder]:
    def register(func: Builder) -> Builder:
        BUILDERS[name] = func
        return func

    return register


def build(dataset: Dataset, context: dict) -> Table:
    """The rows of `dataset`; `context` carries what other datasets produced (for 06)."""
    try:
        make = BUILDERS[dataset.builder]
    except KeyError:
        raise SourceError(f"{dataset.schema_file.name}:-:builder: 作り方「{dataset.builder}」がありません") from None
    table = make(dataset, context)
    table.sample_rows = sum(1 for row in table.rows if row.get("備考", "").startswith(SAMPLE_REMARK))
    table.gaps = _required_but_blank(dataset, table.rows) + table.gaps
    return table


def _required_but_blank(dataset: Dataset, rows: list[dict[str, str]]) -> list[str]:
    """The 必須 columns the ward's sources leave empty, said rather than hidden.

    A 1-or-blank flag (災害種別) is skipped: there the empty cell is a value, not a gap.
    """
    gaps = []
    for column in dataset.columns:
        if column.mark != "必須" or column.enum == ("1",):
            continue
        blank = sum(1 for row in rows if not row.get(column.name))
        if blank:
            gaps.append(f"{column.name}（標準では必須）：{len(rows)}件中{blank}件は、区の元データにないため空欄です。")
    return gaps


def _blank(dataset: Dataset) -> dict[str, str]:
    return dict.fromkeys(dataset.header, "")


def _defaults(dataset: Dataset, row: dict[str, str], number: int, has_address: bool) -> None:
    """The ward's own identity columns, which every row of every dataset repeats."""
    fixed = {
        "全国地方公共団体コード": LG_CODE,
        "ID": str(number),
        "地方公共団体名": PREFECTURE + WARD_NAME,  # the 定義書's form: 北海道札幌市
        # the 2020 (legacy) column names used by the provisional 01 list
        "都道府県コード又は市区町村コード": LG_CODE,
        "NO": str(number),
        "都道府県名": PREFECTURE,
        "市区町村名": WARD_NAME,
    }
    if has_address:
        fixed |= {"所在地_全国地方公共団体コード": LG_CODE, "所在地_都道府県": PREFECTURE,
                  "所在地_市区町村": WARD_NAME}
    for name, value in fixed.items():
        if name in row:
            row[name] = value


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "有" if value else "無"
    return str(value).strip()


def _mark_sample(row: dict[str, str]) -> None:
    note = row.get("備考", "")
    if not note.startswith(SAMPLE_REMARK):
        row["備考"] = SAMPLE_REMARK + (f"。{note}" if note else "")


def _read_yaml(path: Path) -> dict:
    rel = path.relative_to(REPO_DIR)
    if not path.exists():
        raise SourceError(f"{rel}:-:-: 元データのファイルがありません")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1 or "-"
        raise SourceError(f"{rel}:{line}:-: YAML として読めません（{exc}）") from exc
    if not isinstance(data.get("rows"), list):
        raise SourceError(f"{rel}:-:rows: 行の一覧（rows:）がありません")
    return data


@builder("rows_from_yaml")
def rows_from_yaml(dataset: Dataset, context: dict, path: Path | None = None) -> Table:
    """content/opendata/<slug>.yaml: `updated`, `sample`, and rows keyed by standard column names."""
    path = path or CONTENT_DIR / f"{dataset.slug}.yaml"
    data = _read_yaml(path)
    rel = path.relative_to(REPO_DIR)
    rows = []
    for number, source in enumerate(data["rows"], start=1):
        if not isinstance(source, dict):
            raise SourceError(f"{rel}:{number}:-: 行は「項目名: 値」の形で書いてください")
        unknown = [k for k in source if k not in dataset.header]
        if unknown:
            raise SourceError(f"{rel}:{number}:{unknown[0]}: 標準にない項目名です（{dataset.schema_file.name} の列名と同じにしてください）")
        row = _blank(dataset)
        has_address = any(k.startswith("所在地") or k == "住所" for k in source)
        _defaults(dataset, row, number, has_address)
        row |= {k: _text(v) for k, v in source.items()}
        if has_address and "所在地_連結表記" in row and not row["所在地_連結表記"]:
            row["所在地_連結表記"] = PREFECTURE + WARD_NAME + row["所在地_町字"] + row["所在地_番地以下"]
        if data.get("sample"):
            _mark_sample(row)
        rows.append(row)
    updated = data.get("updated")
    return Table(rows, updated if isinstance(updated, date) else None)


for _slug in ("public_facility", "preschool", "aed", "public_toilet", "fire_hydrant",
              "garbage_separation"):
    BUILDERS[_slug] = rows_from_yaml


# --- 03 指定緊急避難場所一覧: the real ward data --------------------------------------

DISASTER_COLUMNS = {
    "flood": "災害種別_洪水",
    "landslide": "災害種別_崖崩れ、土石流及び地滑り",
    "storm_surge": "災害種別_高潮",
    "earthquake": "災害種別_地震",
    "tsunami": "災害種別_津波",
    "large_fire": "災害種別_大規模な火事",
    "inland_flooding": "災害種別_内水氾濫",
    "volcano": "災害種別_火山現象",
}

# Towns of Chuo City divided into 丁目, for which "銀座5-1-13" means 銀座五丁目 1-13.
# Towns not listed here (明石町, 日本橋兜町, 日本橋小伝馬町, 日本橋久松町 …) number their
# blocks directly, so "明石町1-15" is 明石町 1-15.
CHOME_TOWNS = (
    "八重洲", "銀座", "湊", "築地", "八丁堀", "新川", "日本橋本石町", "日本橋人形町",
    "日本橋蛎殻町", "東日本橋", "佃", "月島", "勝どき", "晴海", "京橋", "入船", "新富",
)
_KANJI_DIGITS = "〇一二三四五六七八九"
_ADDRESS = re.compile(r"東京都中央区(?P<town>[^\d；;]+?)(?P<numbers>\d[\d-]*)?")


def split_address(address: str) -> tuple[str, str]:
    """(所在地_町字, 所在地_番地以下) of an address in Chuo City, or ("", "") if unsure."""
    match = _ADDRESS.fullmatch(address)
    if not match:
        return "", ""  # e.g. 「東京都中央区築地；中央区明石町」: an area over two towns
    town, numbers = match["town"], match["numbers"] or ""
    if town in CHOME_TOWNS and numbers:
        chome, _, rest = numbers.partition("-")
        if len(chome) == 1:
            return f"{town}{_KANJI_DIGITS[int(chome)]}丁目", rest
        return "", ""
    return town, numbers


def _facility_phones() -> dict[str, str]:
    """電話番号 by facility name, from the ward's own 01 公共施設一覧 source."""
    path = CONTENT_DIR / "public_facility.yaml"
    if not path.exists():
        return {}
    rows = _read_yaml(path)["rows"]
    return {str(r["名称"]): str(r["電話番号"]) for r in rows
            if isinstance(r, dict) and r.get("名称") and r.get("電話番号")}


@builder("evacuation_space")
def evacuation_space(dataset: Dataset, context: dict) -> Table:
    path = CONTENT_DIR / "chuo_evacuation_sites.csv"
    rel = path.relative_to(REPO_DIR)
    phones = _facility_phones()
    rows, updated = [], None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, source in enumerate(csv.DictReader(handle), start=1):
            row = _blank(dataset)
            _defaults(dataset, row, number, has_address=True)
            town, rest = split_address(source["address"])
            row |= {
                "名称": source["name"],
                "所在地_連結表記": source["address"],
                "所在地_町字": town,
                "所在地_番地以下": rest,
                "緯度": source["latitude"],
                "経度": source["longitude"],
                "電話番号": phones.get(source["name"], ""),
                # 設置主体: the ward designates every site on the list
                "市区町村コード": LG_CODE,
                "地方公共団体名": PREFECTURE + WARD_NAME,
                "想定収容人数": source["capacity"],
            }
            for kind in filter(None, source["disaster_types"].split(";")):
                if kind not in DISASTER_COLUMNS:
                    raise SourceError(f"{rel}:{number + 1}:disaster_types: 知らない災害種別「{kind}」です（{', '.join(DISASTER_COLUMNS)}）")
                row[DISASTER_COLUMNS[kind]] = "1"
            if source.get("source_updated"):
                updated = max(updated or date.min, date.fromisoformat(source["source_updated"]))
            rows.append(row)
    # 必須 columns left blank are listed by build(); this one needs its own words
    gaps = ["指定避難所との重複（標準では必須）：区の元データにないため全件空欄です。"
            "定義書では空欄は「重複なし」の意味ですが、区では確認できていません。"]
    return Table(rows, updated, gaps=gaps)


# --- 04 地域・年齢別人口: totals computed from the age bands, so they always add up ---

@builder("population")
def population(dataset: Dataset, context: dict) -> Table:
    path = CONTENT_DIR / "population.yaml"
    data = _read_yaml(path)
    rel = path.relative_to(REPO_DIR)
    bands = [c.name.removesuffix("の男性") for c in dataset.columns if c.name.endswith("の男性")]
    rows = []
    for number, source in enumerate(data["rows"], start=1):
        row = _blank(dataset)
        _defaults(dataset, row, number, has_address=False)
        try:
            men = [int(v) for v in source["男性"]]
            women = [int(v) for v in source["女性"]]
        except (KeyError, TypeError, ValueError):
            raise SourceError(f"{rel}:{number}:男性/女性: 5歳階級ごとの人数を {len(bands)} 個ずつ書いてください") from None
        if len(men) != len(bands) or len(women) != len(bands):
            raise SourceError(f"{rel}:{number}:男性/女性: 5歳階級ごとの人数を {len(bands)} 個ずつ書いてください")
        row |= {
            "調査年月日": _text(source.get("調査年月日")),
            "地域名": _text(source.get("地域名")),
            "世帯数": _text(source.get("世帯数")),
            "男性": str(sum(men)),
            "女性": str(sum(women)),
            "総人口": str(sum(men) + sum(women)),
            "備考": _text(source.get("備考")),
        }
        for band, m, w in zip(bands, men, women, strict=True):
            row[f"{band}の男性"], row[f"{band}の女性"] = str(m), str(w)
        if data.get("sample"):
            _mark_sample(row)
        rows.append(row)
    updated = data.get("updated")
    return Table(rows, updated if isinstance(updated, date) else None)


# --- 12 イベント一覧: the site's news and events, from the CMS -----------------------

def _sample_news_slugs() -> set[str]:
    """Seed news marked `sample: true` in content/news/ stay labelled as samples."""
    from cms.pages.seed import read_front_matter

    slugs = set()
    for path in sorted((CONTENT_DIR.parent / "news").glob("*.md")):
        front, _body = read_front_matter(path)
        if front.get("sample"):
            slugs.add(front.get("slug") or path.stem)
    return slugs


@builder("event")
def event(dataset: Dataset, context: dict) -> Table:
    from django.conf import settings
    from django.db import DatabaseError

    from cms.core.taxonomy import ward
    from cms.pages.models import NewsPage

    base = settings.HUB_BASE_URL.rstrip("/")
    samples = _sample_news_slugs()
    rows, updated = [], None
    try:
        pages = list(NewsPage.objects.live().public().order_by("date", "slug"))
    except DatabaseError as exc:
        raise SourceError(f"CMS:-:-: お知らせを読めません（{exc}）。"
                          "`uv run python manage.py migrate` を実行してください") from exc
    for number, page in enumerate(pages, start=1):
        row = _blank(dataset)
        _defaults(dataset, row, number, has_address=False)
        url = page.get_url()
        row |= {
            "ID": page.slug,
            "イベント名": page.title,
            "開始日": page.date.isoformat(),
            "説明": page.summary.strip(),
            "連絡先名称": f"{WARD_NAME}役所（代表）",
            "連絡先電話番号": ward()["main_phone"],
            "主催者": WARD_NAME,
            "URL": f"{base}{url}" if url and url.startswith("/") else (url or ""),
        }
        if page.slug in samples:
            _mark_sample(row)
        rows.append(row)
        updated = max(updated or date.min, page.date)
    return Table(rows, updated)


# --- 06 オープンデータ一覧: generated from this catalogue ---------------------------

@builder("open_data_list")
def open_data_list(dataset: Dataset, context: dict) -> Table:
    """One row per dataset and file (CSV, JSON); `context["tables"]` holds the other datasets' tables."""
    from django.conf import settings

    from .catalogue import LICENSE_TITLE, datasets

    base = settings.HUB_BASE_URL.rstrip("/")
    tables: dict[str, Table] = context.get("tables", {})
    rows = []
    modified_all = [t.modified for t in tables.values() if t.modified]
    for number, other in enumerate(datasets(), start=1):
        table = tables.get(other.slug)
        modified = table.modified if table else (max(modified_all) if modified_all else None)
        note = ""
        if other.sample or (table and table.sample_rows):
            note = "サンプルデータを含みます（実データではありません）"
        for name, form in ((other.csv_name, "CSV"), (other.json_name, "JSON")):
            row = _blank(dataset)
            _defaults(dataset, row, number, has_address=False)
            rows.append(row | {
                "データセット_ID": other.ckan_name,
                "データセット_タイトル": other.title,
                "データセット_概要": other.description,
                "データセット_分類": other.classification,  # the definition's 17 values, not the ward's grouping
                # left empty until the ward's first publication date is known
                "データセット_公開日": "",
                "データセット_最終更新日": modified.isoformat() if modified else "",
                "データセット_言語": "ja",
                "データセット_URL": f"{base}/opendata/",
                "データセット_更新頻度": other.update_frequency,
                "データセット_準拠する標準": f"自治体標準オープンデータセット {other.label}（{other.version}）",
                "データセット_備考": note,
                "ファイル_タイトル": name,
                "ファイル_ダウンロードURL": f"{base}/opendata/{name}",
                "ファイル形式": form,
                "ファイル_ライセンス": LICENSE_TITLE,
                "ファイル_最終更新日": modified.isoformat() if modified else "",
                "ファイル_言語": "ja",
                "ファイル_API対応有無": "無",
            })
    return Table(rows, max(modified_all) if modified_all else None)
