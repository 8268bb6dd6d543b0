"""/opendata/ on the site: what a developer finds and downloads."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import requests

from opendata.catalogue import datasets
from opendata.validation import BOM, validate_bytes

pytestmark = pytest.mark.django_db


def test_catalogue_lists_every_dataset_with_licence_and_downloads(client):
    response = client.get("/opendata/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>公開しているデータセット（10件）</caption>" in html
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "CC BY 4.0" in html and "出典：中央区 指定緊急避難場所一覧" in html
    for dataset in datasets():
        assert dataset.title in html
        assert f'href="/opendata/{dataset.csv_name}"' in html
        assert f'href="/opendata/{dataset.json_name}"' in html
    # column definitions, byte-exact, and the last update of the real data
    assert "<th scope=\"row\">連絡先備考（その他、SNSなど）</th>" in html
    assert "<caption>指定緊急避難場所一覧の項目（第3.09版）</caption>" in html
    assert '<time datetime="2025-03-31">2025年3月31日</time>' in html


def test_sample_datasets_are_labelled_and_real_ones_are_not(client):
    html = client.get("/opendata/").content.decode()
    sections = dict(re.findall(r'<section class="od-dataset" id="(\w+)"(.*?)</section>', html, re.S))
    assert "サンプルデータを含みます" in sections["public_toilet"]
    assert "サンプルデータを含みます" in sections["population"]
    assert "サンプルデータを含みます" not in sections["evacuation_space"]
    assert "データの来歴" in sections["evacuation_space"]  # the provenance caveat
    # what the ward's sources lack is said, not silently left blank
    assert "区のデータにない項目" in sections["evacuation_space"]
    assert "電話番号（標準では必須）" in sections["evacuation_space"]
    assert "準拠する定義</dt><dd>自治体標準オープンデータセット データ項目定義書A 第3.09版「03.指定緊急避難場所一覧」" \
        in sections["evacuation_space"]


def test_csv_and_json_downloads(client):
    response = client.get("/opendata/131024_evacuation_space.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="131024_evacuation_space.csv"' in response["Content-Disposition"]
    assert response.content.startswith(BOM)
    assert validate_bytes("131024_evacuation_space.csv", response.content) == []
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 31
    again = client.get("/opendata/131024_evacuation_space.csv", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304

    document = json.loads(client.get("/opendata/131024_evacuation_space.json").content)
    assert len(document["records"]) == 31 and document["license"]["id"] == "cc-by"


def test_unknown_files_are_404(client):
    assert client.get("/opendata/131024_nothing.csv").status_code == 404
    assert client.get("/opendata/../../etc/passwd").status_code == 404


def test_open_data_topic_page_links_to_the_catalogue(client):
    from cms.pages.models import TopicPage

    html = client.get(TopicPage.objects.get(slug="opendata").url).content.decode()
    assert 'href="/opendata/"' in html


@pytest.mark.slow
def test_a_running_hub_serves_every_file(hub):
    page = requests.get(f"{hub.url}/opendata/", timeout=30)
    assert page.status_code == 200
    for dataset in datasets():
        csv_file = requests.get(f"{hub.url}/opendata/{dataset.csv_name}", timeout=30)
        assert csv_file.status_code == 200, dataset.csv_name
        assert validate_bytes(dataset.csv_name, csv_file.content) == [], dataset.csv_name
        assert requests.get(f"{hub.url}/opendata/{dataset.json_name}", timeout=30).json()["columns"] == dataset.header


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("od-admin", "od@example.invalid", "pw")
    client.force_login(user)
    return client


def test_admin_page_shows_the_validation_result(editor, settings):
    settings.CKAN_URL = ""
    html = editor.get("/admin/opendata/").content.decode()
    assert "問題はありません" in html
    assert "03 指定緊急避難場所一覧" in html and "検証して公開" in html
    html = editor.post("/admin/opendata/").content.decode()
    assert "CKAN_URL が設定されていない" in html
