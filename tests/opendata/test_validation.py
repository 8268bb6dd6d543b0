"""Each validation rule, with a good file and a bad one (what ward staff would see)."""

from __future__ import annotations

import csv
import io

import pytest

from opendata.catalogue import by_slug, datasets, lg_code_check_digit
from opendata.validation import BOM, validate_bytes, validate_directory

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
           "災害種別_地震": "1", "想定収容人数": "2384"}
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
    ("指定避難所との重複", "あり", "「有」「無」のどれか"),
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
    row = good_evac_row(電話番号="03-3543-0211", 指定避難所との重複="有", 標高="3.5")
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
    row = {"データ名称": "x", "データ形式": "CSV", "URL": "http://x", "ライセンス": "CC BY 4.0",
           "最終更新日": value}
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
    header[20] = "連絡先備考（その他、SNSなど）"  # full-width brackets; 03 uses half-width
    found = messages(make_csv(header, [good_evac_row()]))
    assert found == ["131024_evacuation_space.csv:1:連絡先備考(その他、SNSなど): 21列目の見出しが"
                     "「連絡先備考（その他、SNSなど）」です（標準の項目名は「連絡先備考(その他、SNSなど)」、"
                     "全角・半角も含めて同じにしてください）"]


def test_header_order_matters():
    header = list(EVAC.header)
    header[13], header[14] = header[14], header[13]  # 経度 before 緯度
    found = messages(make_csv(header, [good_evac_row()]))
    header_problems = [f.split(": ")[0] for f in found if ".csv:1:" in f]
    assert header_problems == ["131024_evacuation_space.csv:1:緯度",
                                                "131024_evacuation_space.csv:1:経度"]


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
    assert found[-1] == ("131024_evacuation_space.csv:1:-: UTF-8 として読めない文字があります"
                         "（Shift_JIS で保存されていませんか）")


def test_unknown_file_name():
    found = [str(v) for v in validate_bytes("hinanjo.csv", make_csv(EVAC.header, []))]
    assert len(found) == 1 and found[0].startswith("hinanjo.csv:1:-: どの標準データセットのファイルか分かりません")


def test_legacy_column_names_are_read_as_text_not_yaml_booleans():
    assert FACILITY.header[:4] == ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名"]


def test_every_schema_starts_with_the_standard_blocks():
    for dataset in datasets():
        names = dataset.header
        assert len(names) == len(set(names)), dataset.slug
        if dataset.slug not in ("public_facility", "open_data_list", "evacuation_space", "population"):
            assert names[:3] == ["全国地方公共団体コード", "ID", "地方公共団体名"], dataset.slug
    assert len(EVAC.header) == 39 and len(TOILET.header) == 39
    assert len(by_slug("fire_hydrant").header) == 16
    assert len(by_slug("garbage_separation").header) == 10


def test_a_directory_reports_each_file_and_missing_datasets(tmp_path):
    (tmp_path / EVAC.csv_name).write_bytes(make_csv(EVAC.header, [good_evac_row(緯度="")]))
    found = [str(v) for v in validate_directory(tmp_path)]
    assert "131024_evacuation_space.csv:2:緯度" not in "".join(found)  # 緯度 is optional
    missing = [f for f in found if f.endswith("のファイルがありません")]
    assert len(missing) == len(datasets()) - 1
