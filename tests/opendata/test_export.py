"""Export: the files users download follow the standard and validate clean."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from opendata.catalogue import SAMPLE_REMARK, by_slug, datasets
from opendata.export import build_all, write_all
from opendata.validation import BOM, validate_directory
from tests.support.hub import REPO


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return {f.dataset.slug: f for f in build_all()}


def read_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def test_round_trip_validates_clean(exported, tmp_path):
    write_all(tmp_path, list(exported.values()))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        n for d in datasets() for n in (d.csv_name, d.json_name))
    assert [str(v) for v in validate_directory(tmp_path)] == []


def test_evacuation_sites_are_the_real_31_with_disaster_flags(exported):
    rows = read_rows(exported["evacuation_space"].csv_bytes)
    assert len(rows) == 31
    taimei = next(r for r in rows if r["名称"] == "泰明小学校")
    assert taimei["所在地_連結表記"] == "東京都中央区銀座5-1-13"
    assert (taimei["所在地_町字"], taimei["所在地_番地以下"]) == ("銀座五丁目", "1-13")
    assert taimei["緯度"] == "35.672383" and taimei["想定収容人数"] == "2384"
    assert [taimei[f"災害種別_{k}"] for k in ("洪水", "高潮", "地震", "津波", "大規模な火事", "内水氾濫")] == \
        ["1", "1", "1", "", "", "1"]
    assert sum(r["災害種別_津波"] == "1" for r in rows) == 6
    # what the ward knows as 設置主体, and the one phone number its sources have
    assert {(r["市区町村コード"], r["地方公共団体名"]) for r in rows} == {("131024", "東京都中央区")}
    assert {r["名称"]: r["電話番号"] for r in rows if r["電話番号"]} == {"中央区役所": "03-3543-0211"}
    gaps = json.loads(exported["evacuation_space"].json_bytes)["gaps"]
    assert "電話番号（標準では必須）：31件中30件は、区の元データにないため空欄です。" in gaps
    assert any(g.startswith("指定避難所との重複（標準では必須）") for g in gaps)
    akashi = next(r for r in rows if r["名称"] == "明石小学校")
    assert (akashi["所在地_町字"], akashi["所在地_番地以下"]) == ("明石町", "1-15")  # no 丁目
    assert exported["evacuation_space"].modified.isoformat() == "2025-03-31"
    assert not exported["evacuation_space"].has_sample_rows
    assert all(SAMPLE_REMARK not in r["備考"] for r in rows)


def test_exported_headers_are_the_named_definition_version_byte_for_byte(exported):
    evac = exported["evacuation_space"]
    header = evac.csv_bytes.removeprefix(BOM).split(b"\r\n", 1)[0].decode("utf-8")
    assert header.split(",") == by_slug("evacuation_space").header
    assert header.split(",")[20:24] == ["連絡先備考（その他、SNSなど）", "郵便番号", "市区町村コード", "地方公共団体名"]
    assert json.loads(evac.json_bytes)["definition"]["version"] == "第3.09版"
    for files in exported.values():
        first = files.csv_bytes.removeprefix(BOM).split(b"\r\n", 1)[0].decode("utf-8")
        assert next(csv.reader([first])) == files.dataset.layouts[0].header, files.dataset.slug
        assert files.dataset.definition.get("columns_source"), files.dataset.slug


def test_every_export_validates_with_frictionless(exported, tmp_path):
    """An independent validator, against the project's own Table Schema files."""
    import yaml
    from frictionless import Resource, Schema

    for slug, files in exported.items():
        descriptor = yaml.safe_load(files.dataset.schema_file.read_text(encoding="utf-8"))["schema"]
        assert Schema.validate_descriptor(descriptor).valid, slug
        path = tmp_path / files.dataset.csv_name
        path.write_bytes(files.csv_bytes)
        report = Resource(path=path.name, basepath=str(tmp_path),
                          schema=Schema.from_descriptor(descriptor)).validate()
        assert report.valid, (slug, [e.message for task in report.tasks for e in task.errors][:5])


def test_sample_datasets_say_so_in_every_row_and_in_json(exported):
    for slug in ("preschool", "aed", "public_toilet", "fire_hydrant", "garbage_separation", "population"):
        rows = read_rows(exported[slug].csv_bytes)
        assert rows and all(r["備考"].startswith(SAMPLE_REMARK) for r in rows), slug
        assert json.loads(exported[slug].json_bytes)["sample"] is True


def test_population_totals_add_up(exported):
    for row in read_rows(exported["population"].csv_bytes):
        men = sum(int(v) for k, v in row.items() if k.endswith("の男性"))
        women = sum(int(v) for k, v in row.items() if k.endswith("の女性"))
        assert (int(row["男性"]), int(row["女性"]), int(row["総人口"])) == (men, women, men + women)


@pytest.mark.django_db
def test_events_come_from_the_site_news(exported):
    from cms.pages.models import NewsPage

    rows = read_rows(exported["event"].csv_bytes)
    with_news = list(NewsPage.objects.live().values_list("title", flat=True))
    assert sorted(r["イベント名"] for r in rows) == sorted(with_news) and rows
    drill = next(r for r in rows if r["イベント名"] == "総合防災訓練のお知らせ")
    assert drill["開始日"] == "2026-10-15" and drill["URL"].endswith("/sogo-bosai-kunren-2026/")
    assert drill["備考"].startswith(SAMPLE_REMARK)  # the seed news is marked sample: true


def test_open_data_list_describes_the_catalogue_itself(exported):
    rows = read_rows(exported["open_data_list"].csv_bytes)
    # one row per dataset and file, CSV then JSON
    assert [r["データセット_タイトル"] for r in rows] == [d.title for d in datasets() for _ in ("csv", "json")]
    assert [r["ファイル形式"] for r in rows[:2]] == ["CSV", "JSON"]
    evac = next(r for r in rows if r["ファイル_タイトル"] == "131024_evacuation_space.csv")
    assert evac["ファイル_ダウンロードURL"].endswith("/opendata/131024_evacuation_space.csv")
    assert evac["ファイル_ライセンス"].startswith("クリエイティブ・コモンズ 表示 4.0")
    assert evac["データセット_最終更新日"] == "2025-03-31" and evac["データセット_備考"] == ""
    assert evac["データセット_準拠する標準"] == "自治体標準オープンデータセット 03 指定緊急避難場所一覧（第3.09版）"
    # 分類 is one of the definition's 17 values (not the ward's own 防災), and who publishes
    assert evac["データセット_分類"] == "司法・安全・環境"
    assert (evac["全国地方公共団体コード"], evac["地方公共団体名"]) == ("131024", "東京都中央区")
    toilet = next(r for r in rows if r["ファイル_タイトル"] == "131024_public_toilet.json")
    assert "サンプル" in toilet["データセット_備考"]


def test_json_holds_the_same_records(exported):
    files = exported["evacuation_space"]
    document = json.loads(files.json_bytes)
    assert document["columns"] == by_slug("evacuation_space").header
    assert document["records"] == read_rows(files.csv_bytes)
    assert document["license"]["id"] == "cc-by"
    assert document["attribution"] == "出典：中央区 指定緊急避難場所一覧"


def test_export_is_byte_for_byte_repeatable(exported, django_db_blocker):
    with django_db_blocker.unblock():
        again = {f.dataset.slug: f.csv_hash for f in build_all()}
    assert again == {slug: f.csv_hash for slug, f in exported.items()}


@pytest.mark.slow
def test_cli_export_then_validate_from_the_repository_root(hub, tmp_path):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "opendata", "export", "--out", str(out)],
                         cwd=REPO, env=hub.env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (out / "131024_evacuation_space.csv").read_bytes().startswith(BOM)
    run = subprocess.run([sys.executable, "-m", "opendata", "validate", str(out)],
                         cwd=REPO, env=hub.env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "131024_evacuation_space.csv: 03 指定緊急避難場所一覧（第3.09版）として検査" in run.stderr

    # a mistake a person makes in Excel: a name cleared and a 災害種別 typed as ○
    path = out / "131024_evacuation_space.csv"
    text = path.read_bytes().decode("utf-8-sig").replace("泰明小学校,", ",", 1)
    text = text.replace(",1,,1,1,,,1,,,2384,", ",1,,1,○,,,1,,,2384,", 1)
    path.write_bytes(BOM + text.encode())
    run = subprocess.run([sys.executable, "-m", "opendata", "validate", str(out)],
                         cwd=REPO, env=hub.env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        "131024_evacuation_space.csv:4:名称: 必須の項目が空です",
        "131024_evacuation_space.csv:4:災害種別_地震: 該当する場合は「1」、該当しない場合は空欄にしてください：「○」",
    ]
