"""Each validation rule, with a good file and a bad one (what ward staff would see)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendata.catalogue import by_slug, datasets, lg_code_check_digit
from opendata.validation import BOM, inspect_bytes, validate_bytes, validate_directory

EVAC = by_slug("evacuation_space")
TOILET = by_slug("public_toilet")
FACILITY = by_slug("public_facility")


def make_csv(header: list[str], rows: list[dict[str, str]], bom: bool = True,
             encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return (BOM if bom else b"") + buffer.getvalue().encode(encoding)


def good_evac_row(**changes: str) -> dict[str, str]:
    row = {"全国地方公共団体コード": "131024", "ID": "1", "名称": "泰明小学校",
           "所在地_連結表記": "東京都中央区銀座5-1-13", "緯度": "35.672383", "経度": "139.761495",
           "市区町村コード": "131024", "災害種別_地震": "1", "想定収容人数": "2384"}
    return row | changes


def messages(data: bytes, dataset=EVAC, name: str | None = None) -> list[str]:
    return [str(v) for v in validate_bytes(name or dataset.csv_name, data, dataset)]


def test_a_good_file_has_no_violation():
    assert messages(make_csv(EVAC.header, [good_evac_row(), good_evac_row(ID="2")])) == []


def test_check_digit_of_chuo_city_is_4():
    assert lg_code_check_digit("13102") == 4


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("全国地方公共団体コード", "131025", "131024_evacuation_space.csv:2:全国地方公共団体コード: 全国地方公共団体コード「131025」の検査数字が合いません（13102 の検査数字は 4）"),
    ("全国地方公共団体コード", "13102", "半角数字6桁"),
    ("全国地方公共団体コード", "１３１０２４", "半角数字6桁"),
    ("名称", "", "131024_evacuation_space.csv:2:名称: 必須の項目が空です"),
    ("緯度", "139.761495", "131024_evacuation_space.csv:2:緯度: 緯度 139.761495 は中央区の範囲"),
    ("経度", "139.90", "経度 139.90 は中央区の範囲"),
    ("緯度", "35度40分", "10進の度"),
    ("災害種別_地震", "○", "131024_evacuation_space.csv:2:災害種別_地震: 該当する場合は「1」、該当しない場合は空欄"),
    ("指定避難所との重複", "有", "該当する場合は「1」、該当しない場合は空欄"),
    ("市区町村コード", "", "必須の項目が空です"),
    ("連絡先メールアドレス", "銀座五丁目", "メールアドレスの形"),
    ("URL", "中央区", "URL は http:// か https:// で始めて"),
    ("郵便番号", "東京都", "郵便番号は半角数字7桁"),
    ("想定収容人数", "約2000", "整数（半角数字）"),
    ("想定収容人数", "-5", "0 以上"),
    ("電話番号", "0335430211", "ハイフン区切り"),
    ("名称", " 泰明小学校", "前後に空白"),
])
def test_each_rule_reports_file_row_column_and_reason(column, value, expected):
    found = messages(make_csv(EVAC.header, [good_evac_row(**{column: value})]))
    assert len(found) == 1, found
    assert expected in found[0]
    assert found[0].startswith(f"131024_evacuation_space.csv:2:{column}: ")


def test_good_values_of_each_kind_pass():
    row = good_evac_row(電話番号="03-3543-0211", 指定避難所との重複="1", 標高="3.5",
                        連絡先メールアドレス="bosai@city.chuo.lg.jp", URL="https://www.city.chuo.lg.jp/",
                        郵便番号="1048404")
    assert messages(make_csv(EVAC.header, [row])) == []


def test_row_numbers_are_spreadsheet_rows():
    rows = [good_evac_row(), good_evac_row(ID="2"), good_evac_row(ID="3", 名称="")]
    assert messages(make_csv(EVAC.header, rows)) == [
        "131024_evacuation_space.csv:4:名称: 必須の項目が空です"]


@pytest.mark.parametrize(("value", "ok"), [
    ("09:00", True), ("23:59", True), ("24:00", True), ("9:00", False), ("09:60", False),
    ("25:00", False), ("9時", False),
])
def test_time_is_hh_mm(value, ok):
    row = {"名称": "トイレ", "所在地_連結表記": "東京都中央区築地1-1-1", "設置位置": "1階",
           "全国地方公共団体コード": "131024", "ID": "1", "地方公共団体名": "中央区",
           "利用開始時間": value}
    found = messages(make_csv(TOILET.header, [row]), TOILET)
    assert (found == []) is ok, found
    if not ok:
        assert found[0].startswith("131024_public_toilet.csv:2:利用開始時間: 時刻は hh:mm")


@pytest.mark.parametrize(("value", "ok"), [
    ("2026-04-01", True), ("2026/04/01", False), ("2026-02-30", False), ("令和8年4月1日", False),
])
def test_date_is_yyyy_mm_dd(value, ok):
    dataset = by_slug("open_data_list")
    row = {"データセット_タイトル": "x", "ファイル形式": "CSV", "データセット_分類": "行財政",
           "ファイル_ダウンロードURL": "http://x", "データセット_最終更新日": value}
    found = messages(make_csv(dataset.header, [row]), dataset)
    assert (found == []) is ok, found


def test_yes_no_vocabulary():
    row = {"名称": "トイレ", "所在地_連結表記": "東京都中央区築地1-1-1", "設置位置": "1階",
           "全国地方公共団体コード": "131024", "ID": "1", "地方公共団体名": "中央区"}
    assert messages(make_csv(TOILET.header, [row | {"車椅子使用者用トイレ有無": "有"}]), TOILET) == []
    found = messages(make_csv(TOILET.header, [row | {"車椅子使用者用トイレ有無": "あり"}]), TOILET)
    assert found == ["131024_public_toilet.csv:2:車椅子使用者用トイレ有無: 「有」「無」のどれかで書いてください：「あり」"]


def test_header_must_be_byte_exact_including_bracket_width():
    header = list(EVAC.header)
    header[20] = "連絡先備考(その他、SNSなど)"  # half-width brackets; 第3.09版 uses full-width
    found = messages(make_csv(header, [good_evac_row()]))
    assert found == ["131024_evacuation_space.csv:1:連絡先備考（その他、SNSなど）: 21列目の見出しが"
                     "「連絡先備考(その他、SNSなど)」です（標準の項目名は「連絡先備考（その他、SNSなど）」、"
                     "全角・半角も含めて同じにしてください）"]


def test_header_order_matters():
    header = list(EVAC.header)
    header[13], header[14] = header[14], header[13]  # 経度 before 緯度
    found = messages(make_csv(header, [good_evac_row()]))
    assert [f for f in found if ".csv:1:" in f] == [
        "131024_evacuation_space.csv:1:経度: 「経度」が14列目にあります（標準では15列目です）"]


def test_one_inserted_column_is_reported_once_and_later_cells_still_checked():
    header = [*EVAC.header[:20], "FAX番号", *EVAC.header[20:]]
    row = good_evac_row(URL="中央区")
    record = [row.get(name, "") for name in EVAC.header]
    data = make_csv(header, []) + (",".join([*record[:20], "", *record[20:]]) + "\r\n").encode()
    assert messages(data) == [
        "131024_evacuation_space.csv:1:21列目: 標準にない列「FAX番号」があります",
        "131024_evacuation_space.csv:2:URL: URL は http:// か https:// で始めてください（列がずれていませんか）：「中央区」"]


def test_missing_and_extra_columns():
    found = messages(make_csv(EVAC.header[:-1], [good_evac_row()]))
    assert found == ["131024_evacuation_space.csv:1:備考: 39列目に標準の列「備考」がありません"]
    found = messages(make_csv([*EVAC.header, "メモ"], [good_evac_row()]))
    assert found == ["131024_evacuation_space.csv:1:40列目: 標準にない列「メモ」があります"]


def test_a_row_with_too_few_cells():
    data = make_csv(EVAC.header, [good_evac_row()]) + "131024,2,名称だけ\r\n".encode()
    assert messages(data) == ["131024_evacuation_space.csv:3:-: この行は 3 列あります（見出しは 39 列）"]


def test_encoding_must_be_utf8_with_bom():
    assert messages(make_csv(EVAC.header, [good_evac_row()], bom=False)) == [
        "131024_evacuation_space.csv:1:-: 文字コードが UTF-8（BOM付き）ではありません。"
        "Excel で開けるよう BOM 付きで保存してください"]
    found = messages(make_csv(EVAC.header, [good_evac_row()], bom=False, encoding="cp932"))
    assert found[-1] == ("131024_evacuation_space.csv:1:-: 文字コードが Shift_JIS です。UTF-8 で保存してください"
                         "（1行目から UTF-8 として読めません。中身は Shift_JIS として読んで検査しました）")
    # neither UTF-8 nor Shift_JIS: nothing can be checked
    found = messages(BOM + "名称\r\n".encode("utf-16-le"))
    assert found[-1].endswith("UTF-8 として読めない文字があります（Shift_JIS で保存されていませんか）")


def test_any_file_name_the_dataset_is_recognised_from_the_header():
    report = inspect_bytes("hinanjo.csv", make_csv(EVAC.header, [good_evac_row()]))
    assert report.violations == [] and report.follows == "03 指定緊急避難場所一覧（第3.09版）"


def test_a_header_like_no_dataset_is_reported():
    found = [str(v) for v in validate_bytes("hinanjo.csv", make_csv(["施設名", "住所", "電話"], []))]
    assert len(found) == 1 and found[0].startswith("hinanjo.csv:1:-: どの標準データセットのファイルか分かりません")


def test_older_published_headers_are_named():
    older = EVAC.layouts[1]
    assert "設置主体" in older.name
    assert "市区町村コード(設置主体)" in older.header and "連絡先備考(その他、SNSなど)" in older.header
    row = good_evac_row(全国地方公共団体コード="273015")  # 島本町
    row["市区町村コード(設置主体)"] = row.pop("市区町村コード")
    row["市区町村コード(設置主体)"] = "273015"
    report = inspect_bytes("273015_evacuation_space.csv", make_csv(older.header, [row]))
    assert report.layout == older and report.violations == []
    # the old name is still checked like the current column: 必須, with a check digit
    row["市区町村コード(設置主体)"] = "273016"
    assert [str(v) for v in inspect_bytes("x.csv", make_csv(older.header, [row])).violations] == [
        "x.csv:2:市区町村コード(設置主体): 全国地方公共団体コード「273016」の検査数字が合いません"
        "（27301 の検査数字は 5）"]


def test_legacy_column_names_are_read_as_text_not_yaml_booleans():
    legacy = next(layout for layout in FACILITY.layouts if layout.name.startswith("2020年版"))
    assert legacy.header[:4] == ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名"]


def test_every_schema_starts_with_the_standard_blocks():
    for dataset in datasets():
        names = dataset.header
        assert len(names) == len(set(names)), dataset.slug
        # who publishes: 03 has no 地方公共団体名, 04 has 地域コード and 12 has 法人番号 second,
        # 06 starts with データセット_ID
        if dataset.slug in ("evacuation_space", "population", "event", "open_data_list"):
            assert "全国地方公共団体コード" in names[:2], dataset.slug
        else:
            assert names[:3] == ["全国地方公共団体コード", "ID", "地方公共団体名"], dataset.slug
        for layout in dataset.layouts[1:]:
            if layout.name.startswith("2020年版"):  # the 2020 form
                assert layout.header[0] in ("都道府県コード又は市区町村コード", "NO"), dataset.slug  # 03: NO
    assert len(EVAC.header) == 39 and len(TOILET.header) == 39
    assert len(by_slug("fire_hydrant").header) == 16
    assert len(by_slug("garbage_separation").header) == 10


def test_a_directory_reports_each_file_and_missing_datasets(tmp_path):
    (tmp_path / EVAC.csv_name).write_bytes(make_csv(EVAC.header, [good_evac_row(緯度="")]))
    found = [str(v) for v in validate_directory(tmp_path)]
    assert "131024_evacuation_space.csv:2:緯度" not in "".join(found)  # 緯度 is optional
    missing = [f for f in found if f.endswith("のファイルがありません")]
    assert len(missing) == len(datasets()) - 1


REPORT_LINE = re.compile(r"^[^:]+:(\d+|-):[^:]+: \S.*$")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=45), min_size=0, max_size=6),
       st.sampled_from([None, *EVAC.layouts, *TOILET.layouts]))
def test_any_csv_gets_file_row_column_messages_and_never_crashes(rows, layout):
    """Hostile input: whatever a file holds, every problem is one `file:row:column: message`."""
    header = layout.header if layout else (rows[0] if rows else [])
    data = make_csv(header, []) + make_csv_rows(rows)
    for violation in inspect_bytes("f.csv", data).violations:
        assert REPORT_LINE.match(str(violation).replace("\n", " ")), str(violation)


def make_csv_rows(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_every_schema_names_its_version_and_writes_shared_columns_alike():
    for dataset in datasets():
        assert dataset.definition.get("columns_source"), dataset.slug
        assert dataset.version, dataset.slug
        # 第3.09版 writes this column with full-width brackets in every dataset
        assert "連絡先備考(その他、SNSなど)" not in dataset.header, dataset.slug
        for column in dataset.columns:
            assert column.mark in ("", "必須", "推奨", "任意"), (dataset.slug, column.name)
            if column.type == "time":
                assert column.format == "%H:%M", (dataset.slug, column.name)


def test_the_wards_own_files_must_follow_the_current_version():
    older = EVAC.layouts[1]
    row = good_evac_row()
    row["市区町村コード(設置主体)"] = row.pop("市区町村コード")
    found = [str(v) for v in validate_bytes("131024_evacuation_space.csv", make_csv(older.header, [row]))]
    assert found == [f"131024_evacuation_space.csv:1:-: 見出しが旧い版（{older.name}）です。"
                     "区のファイルは現行の第3.09版の見出しで作ってください"]
