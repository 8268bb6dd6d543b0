"""Real files published by other municipalities (tests/opendata/fixtures/README.md).

The validator must take each for the right dataset and 定義書 version from its header,
check coordinates against Japan (not Chuo City) because the file's own 全国地方公共団体コード
says it is not the ward's, find nothing wrong in the correct ones, and catch a row whose
values have slid one column.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from opendata.catalogue import by_slug
from opendata.validation import inspect_bytes, inspect_directory

FIXTURES = Path(__file__).parent / "fixtures"
CORRECT = {
    "222127_public_toilet.csv": "13 公衆トイレ一覧（第3.09版）",
    "222127_aed.csv": "08 AED設置箇所一覧（2020年版 推奨データセット）",
    "222127_public_facility-59773.csv": "01 公共施設一覧（2020年版 推奨データセット）",
    "202053_aed.csv": "08 AED設置箇所一覧（第3.09版）",
}
# Real files with real defects: exactly these are reported (fixtures/README.md says why).
SHIFT_JIS = ("文字コードが Shift_JIS です。UTF-8 で保存してください"
             "（1行目から UTF-8 として読めません。中身は Shift_JIS として読んで検査しました）")
DEFECTS = {
    # 市川市 publishes Shift_JIS; the content is otherwise correct (see the tests below), but for
    # 04's 調査年月日, which holds Excel's serial day number (45016 is 2023-03-31)
    **{name: [f"{name}:1:-: {SHIFT_JIS}"] for name in (
        "122033_101_public_facility.csv", "122033_103_evacuation_space.csv", "122033_105_preschool.csv",
        "122033_106_open_data_list.csv", "122033_108_aed.csv")},
    "122033_104_population.csv": ["122033_104_population.csv:1:-: " + SHIFT_JIS] + [
        f"122033_104_population.csv:{row}:調査年月日: 日付は YYYY-MM-DD（例 2026-04-01）で書いてください：「45016」"
        for row in (2, 3)],
    "112453_aed.csv": [f"112453_aed.csv:1:{n}列目: 標準にない列「」があります" for n in range(40, 52)],
    # 印西市 publishes Shift_JIS too, and each file has its own faults: a missing column
    # (06 データセット_関連ドキュメント, 12 所在地_連結表記), dates and times as Excel shows them,
    # phone numbers written 0476(46)5111, and events without a 開始日
    "122319_open_data_list.csv": [f"122319_open_data_list.csv:1:-: {SHIFT_JIS}",
                                  "122319_open_data_list.csv:1:データセット_関連ドキュメント: "
                                  "17列目に標準の列「データセット_関連ドキュメント」がありません"] + [
        f"122319_open_data_list.csv:{row}:{column}: 日付は YYYY-MM-DD（例 2026-04-01）で書いてください：「2024/1/19」"
        for row in (2, 3) for column in ("データセット_公開日", "データセット_最終更新日", "ファイル_公開日", "ファイル_最終更新日")],
    "122319_event.csv": [f"122319_event.csv:1:-: {SHIFT_JIS}",
                         "122319_event.csv:1:所在地_連結表記: 43列目に標準の列「所在地_連結表記」がありません",
                         "122319_event.csv:2:開始日: 必須の項目が空です", "122319_event.csv:3:開始日: 必須の項目が空です"],
    "122319_preschool.csv": [f"122319_preschool.csv:1:-: {SHIFT_JIS}"] + [
        line for row, phone in ((2, "0476(46)5111"), (3, "0476(45)3800")) for line in (
            f"122319_preschool.csv:{row}:電話番号: 電話番号は半角のハイフン区切り（例 03-3543-0211）で書いてください：「{phone}」",
            f"122319_preschool.csv:{row}:開始時間: 時刻は hh:mm（例 09:00）で書いてください：「9:00」")],
    # 大阪府's own two columns after 備考
    "270008_event.csv": [f"270008_event.csv:1:{n}列目: 標準にない列「{name}」があります"
                         for n, name in ((80, "my door OSAKAフラグ"), (81, "外部連携フラグ"))],
    # 焼津市's own 80th column, and dates written as Excel shows them (2026/5/28, not 2026-05-28)
    "222127_event.csv": ["222127_event.csv:1:80列目: 標準にない列「イベントジャンル」があります"] + [
        f"222127_event.csv:{row}:{column}: 日付は YYYY-MM-DD（例 2026-04-01）で書いてください：「{value}」"
        for row, values in ((2, ("2026/5/28", "2027/3/5", "2026/4/1", "2029/3/27")),
                            (3, ("2026/9/15", "2026/9/15", "2026/7/15", "2029/7/15")))
        for column, value in zip(("開始日", "終了日", "掲載開始日", "掲載終了日"), values, strict=True)],
    # 焼津市 typed U+2015 「―」 for the long vowel mark 「ー」 twice in the first column's name
    "222127_preschool-46980.csv": [
        "222127_preschool-46980.csv:1:都道府県コード又は市区町村コード: 1列目の見出しが「都道府県コ―ド又は市区町村コ―ド」です"
        "（標準の項目名は「都道府県コード又は市区町村コード」、全角・半角も含めて同じにしてください）",
    ],
    "222216_aed.csv": [
        "222216_aed.csv:1:利用可能曜日: 28列目の見出しが「利用可能曜日※オープンデータ定義書注1参照」です"
        "（標準の項目名は「利用可能曜日」、全角・半角も含めて同じにしてください）",
        "222216_aed.csv:1:開始時間: 29列目の見出しが「開始時間※オープンデータ定義書注2参照」です"
        "（標準の項目名は「開始時間」、全角・半角も含めて同じにしてください）",
        "222216_aed.csv:1:終了時間: 30列目の見出しが「終了時間※オープンデータ定義書注3参照」です"
        "（標準の項目名は「終了時間」、全角・半角も含めて同じにしてください）",
        "222216_aed.csv:2:開始時間: 時刻は hh:mm（例 09:00）で書いてください：「9:00」",
        "222216_aed.csv:3:開始時間: 時刻は hh:mm（例 09:00）で書いてください：「8:30」",
        "222216_aed.csv:4:開始時間: 時刻は hh:mm（例 09:00）で書いてください：「8:30」",
    ],
    "382019_evacuation_space.csv": [
        "382019_evacuation_space.csv:1:34列目: 標準にない列「」があります",
        "382019_evacuation_space.csv:2:想定収容人数: 前後に空白があります：「50,700 」",
        "382019_evacuation_space.csv:3:想定収容人数: 前後に空白があります：「4,800 」",
        "382019_evacuation_space.csv:4:想定収容人数: 前後に空白があります：「900 」",
        "382019_evacuation_space.csv:5:想定収容人数: 前後に空白があります：「24,800 」",
    ],
}


def rows_of(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((FIXTURES / name).read_text(encoding="utf-8"), newline="")))


def as_bytes(records: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(records)
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize(("name", "follows"), CORRECT.items())
def test_correct_files_of_other_municipalities_pass_and_their_version_is_named(name, follows):
    report = inspect_bytes(name, (FIXTURES / name).read_bytes())
    assert [str(v) for v in report.violations] == []
    assert report.follows == follows


def test_a_correct_current_evacuation_file_of_another_municipality_has_only_its_encoding_wrong():
    """市川市's 03, as published (Shift_JIS): 第3.09版 byte for byte, every cell as the standard says."""
    data = (FIXTURES / "122033_103_evacuation_space.csv").read_bytes()
    report = inspect_bytes("122033_103_evacuation_space.csv", data)
    assert report.follows == "03 指定緊急避難場所一覧（第3.09版）"
    assert [str(v) for v in report.violations] == [f"122033_103_evacuation_space.csv:1:-: {SHIFT_JIS}"]
    text = data.decode("cp932")
    assert text.splitlines()[0].split(",") == by_slug("evacuation_space").header
    again = inspect_bytes("122033_103_evacuation_space.csv", text.encode("utf-8"))  # saved as UTF-8
    assert again.violations == [] and again.follows == report.follows
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 5 and {r["市区町村コード"] for r in rows} == {"122033"}  # coordinates checked against Japan


ICHIKAWA = {  # 市川市's files of the current format: the evidence for these schemas' column lists
    "122033_101_public_facility.csv": ("public_facility", "第3.x版・版番号未確認"),
    "122033_103_evacuation_space.csv": ("evacuation_space", "第3.09版"),
    "122033_104_population.csv": ("population", "第3.x版・版番号未確認"),
    "122033_105_preschool.csv": ("preschool", "第3.09版"),
    "122033_106_open_data_list.csv": ("open_data_list", "第3.09版"),
    "122033_108_aed.csv": ("aed", "第3.09版"),
}


@pytest.mark.parametrize(("name", "expected"), ICHIKAWA.items())
def test_the_export_header_is_the_one_ichikawa_publishes(name, expected):
    slug, version = expected
    data = (FIXTURES / name).read_bytes()
    header = next(csv.reader(io.StringIO(data.decode("cp932"), newline="")))
    dataset = by_slug(slug)
    assert header == dataset.header and dataset.version == version
    assert inspect_bytes(name, data).follows == f"{dataset.label}（{version}）"


def header_of(name: str) -> list[str]:
    return rows_of(name)[0]


def cp932_header(name: str) -> list[str]:
    return next(csv.reader(io.StringIO((FIXTURES / name).read_bytes().decode("cp932"), newline="")))


def test_inzai_agrees_but_for_one_column_each():
    """印西市's 05 is 市川市's 53 columns; its 06 and 12 each lack one column the others have."""
    assert cp932_header("122319_preschool.csv") == by_slug("preschool").header
    assert cp932_header("122319_open_data_list.csv") == [
        n for n in by_slug("open_data_list").header if n != "データセット_関連ドキュメント"]
    assert cp932_header("122319_event.csv") == [n for n in by_slug("event").header if n != "所在地_連結表記"]


def test_the_event_export_has_the_79_columns_yaizu_and_osaka_both_publish():
    ours = by_slug("event").header
    assert header_of("222127_event.csv") == ours + ["イベントジャンル"]
    assert header_of("270008_event.csv") == ours + ["my door OSAKAフラグ", "外部連携フラグ"]


def test_the_aed_export_has_the_header_three_municipalities_publish():
    """飯田市, ふじみ野市 (12 unnamed columns after) and 湖西市 (3 names annotated) agree (and 市川市, above)."""
    ours = by_slug("aed").header
    assert header_of("202053_aed.csv") == ours
    assert header_of("112453_aed.csv") == ours + [""] * 12
    assert [re.sub(r"※オープンデータ定義書注\d参照$", "", n) for n in header_of("222216_aed.csv")] == ours
    assert len(ours) == 39 and ours[-2:] == ["外部利用不可", "備考"]


def test_the_file_name_does_not_matter():
    data = (FIXTURES / "222127_public_toilet.csv").read_bytes()
    report = inspect_bytes("koushu-toilet_R7.csv", data)
    assert report.dataset == by_slug("public_toilet") and report.violations == []


def test_real_files_with_real_defects_get_exactly_those_reported():
    reports, missing = inspect_directory(FIXTURES)
    assert missing == []  # no 131024 file here, so no ward dataset is "missing"
    found = {r.file: r for r in reports if r.violations}
    assert {name: [str(v) for v in r.violations] for name, r in found.items()} == DEFECTS
    assert found["382019_evacuation_space.csv"].follows == "03 指定緊急避難場所一覧（第3.09版）"
    # 湖西市 annotated three column names; the file is still taken for the current 08 layout
    assert found["222127_event.csv"].follows == "12 イベント一覧（第3.09版）"
    assert found["222127_preschool-46980.csv"].follows == "05 子育て施設一覧（2020年版 推奨データセット）"
    assert found["222216_aed.csv"].follows == "08 AED設置箇所一覧（第3.09版）"


def test_the_wards_bounding_box_applies_only_to_131024():
    records = rows_of("222127_public_toilet.csv")
    records[1][0] = "131024"  # 焼津市's coordinates under Chuo City's code
    found = [str(v) for v in inspect_bytes("x.csv", as_bytes(records[:2])).violations]
    assert "x.csv:2:緯度: 緯度 34.8760119 は中央区の範囲（35.64〜35.702）の外です" in found[1]
    assert found[0].startswith("x.csv:1:-: 文字コードが UTF-8（BOM付き）ではありません")  # the ward's files need a BOM


def test_the_code_in_the_file_is_checked_with_its_check_digit():
    records = rows_of("222127_public_toilet.csv")
    records[1][0] = "222128"
    found = [str(v) for v in inspect_bytes("x.csv", as_bytes(records[:2])).violations]
    assert found == ["x.csv:2:全国地方公共団体コード: 全国地方公共団体コード「222128」の検査数字が合いません（22212 の検査数字は 7）"]


def test_coordinates_outside_japan_are_caught_for_other_municipalities():
    records = rows_of("222127_public_toilet.csv")
    lat = records[0].index("緯度")
    records[1][lat], records[1][lat + 1] = records[1][lat + 1], records[1][lat]  # swapped
    found = [str(v) for v in inspect_bytes("x.csv", as_bytes(records[:2])).violations]
    assert [f.split(":")[2] for f in found] == ["緯度", "経度"]
    assert "日本の範囲" in found[0]


def shift_right(record: list[str], at: int) -> list[str]:
    """A value typed one cell too far right from column `at` (the last cell falls off)."""
    return [*record[:at], "", *record[at:-1]]


@pytest.mark.parametrize("name", ["222127_public_toilet.csv", "222127_aed.csv", "202053_aed.csv"])
def test_every_row_shifted_by_one_column_is_caught(name):
    records = rows_of(name)
    at = records[0].index("名称_カナ")  # a cell left out after the name, as happens in Excel
    shifted = [records[0], *(shift_right(r, at) for r in records[1:])]
    found = inspect_bytes(name, as_bytes(shifted)).violations
    assert {v.row for v in found} == set(range(2, len(records) + 1)), [str(v) for v in found]


def test_shifted_contact_columns_are_named_in_the_message():
    """An e-mail column holding a place name, a URL column holding a city name (03)."""
    evac = by_slug("evacuation_space")
    row = dict.fromkeys(evac.header, "")
    row |= {"全国地方公共団体コード": "382019", "名称": "城山公園", "所在地_連結表記": "愛媛県松山市堀之内",
            "市区町村コード": "382019", "連絡先メールアドレス": "堀之内", "URL": "愛媛県松山市"}
    found = [str(v) for v in inspect_bytes("x.csv", as_bytes([evac.header, list(row.values())])).violations]
    assert found == [
        "x.csv:2:連絡先メールアドレス: メールアドレスの形（例 info@city.example.lg.jp）ではありません（列がずれていませんか）：「堀之内」",
        "x.csv:2:URL: URL は http:// か https:// で始めてください（列がずれていませんか）：「愛媛県松山市」",
    ]


def test_cli_names_each_files_version_and_reports_file_row_column(capsys):
    from opendata.__main__ import main

    assert main(["validate", str(FIXTURES)]) == 1  # the 湖西市 and 松山市 files have real defects
    out, err = capsys.readouterr()
    assert out.splitlines() == [line for name in sorted(DEFECTS) for line in DEFECTS[name]]
    assert "222127_public_toilet.csv: 13 公衆トイレ一覧（第3.09版）として検査" in err.splitlines()
    assert "222127_aed.csv: 08 AED設置箇所一覧（2020年版 推奨データセット）として検査" in err.splitlines()
    assert "202053_aed.csv: 08 AED設置箇所一覧（第3.09版）として検査" in err.splitlines()
