"""Publishing to a real CKAN 2.12 (started by the suite; see ckan_server.py).

The tests run in file order against one CKAN: first publish, unchanged republish,
one changed row, then the failures (bad data, bad key, a network cut mid-run).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from opendata.catalogue import by_slug, datasets
from opendata.ckan import PublishError, publish_all
from opendata.export import build_all, render_csv, render_json
from tests.opendata.ckan_server import CkanServer, missing_prerequisites
from tests.opendata.proxy import CountingProxy
from tests.opendata.solr_standin import SolrStandIn
from tests.support.hub import REPO

pytestmark = [pytest.mark.ckan, pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="session")
def ckan(tmp_path_factory):
    if reason := missing_prerequisites():
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with SolrStandIn() as solr, CkanServer(tmp_path_factory.mktemp("ckan"), solr.url) as server:
        server.solr = solr
        yield server


@pytest.fixture(scope="module")
def proxy(ckan):
    with CountingProxy(ckan.url) as counting:
        yield counting


@pytest.fixture(scope="module")
def base_files(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return build_all()


def changed(files, slug: str, column: str, value: str, row: int = 0):
    """The same files with one cell of one dataset changed (a valid change)."""
    out = []
    for item in files:
        if item.dataset.slug == slug:
            rows = [dict(r) for r in item.table.rows]
            rows[row][column] = value
            table = dataclasses.replace(item.table, rows=rows)
            item = dataclasses.replace(item, table=table, csv_bytes=render_csv(item.dataset, rows),
                                       json_bytes=render_json(item.dataset, table))
        out.append(item)
    return out


def publish(proxy, ckan, files, key: str | None = None):
    proxy.reset()
    return publish_all(proxy.url, ckan.api_key if key is None else key, files=files,
                       progress=False, site_url="https://hub.example.jp")


def packages(ckan) -> dict[str, dict]:
    return {d.slug: ckan.action("package_show", id=d.ckan_name) for d in datasets()}


def test_first_publish_creates_every_dataset(ckan, proxy, base_files):
    result = publish(proxy, ckan, base_files)
    assert [d.created for d in result.datasets] == [True] * len(datasets())
    assert len(proxy.uploads) == 2 * len(datasets())

    shown = packages(ckan)
    evac = shown["evacuation_space"]
    assert evac["title"] == "指定緊急避難場所一覧"
    assert evac["license_id"] == "cc-by"
    assert evac["organization"]["name"] == "chuo-city"
    assert {"自治体標準ODS", "推奨データセット", "指定緊急避難場所一覧"} <= {t["name"] for t in evac["tags"]}
    extras = {e["key"]: e["value"] for e in evac["extras"]}
    assert extras["sample"] == "false" and extras["modified"] == "2025-03-31"
    assert extras["frequency"] == "年1回" and extras["contact_name"].startswith("総務部 防災危機管理課")
    assert "出典：中央区 指定緊急避難場所一覧" in evac["notes"]
    resources = {r["name"]: r for r in evac["resources"]}
    assert set(resources) == {"131024_evacuation_space.csv", "131024_evacuation_space.json"}
    csv_files = next(f for f in base_files if f.dataset.slug == "evacuation_space")
    assert resources["131024_evacuation_space.csv"]["hash"] == csv_files.csv_hash
    assert resources["131024_evacuation_space.csv"]["format"] == "CSV"
    # what a user downloads from CKAN is byte for byte what the hub exported
    download = requests.get(resources["131024_evacuation_space.csv"]["url"], timeout=30)
    assert download.content == csv_files.csv_bytes

    toilet = shown["public_toilet"]
    assert toilet["title"].endswith("（サンプルデータ）")
    assert {e["key"]: e["value"] for e in toilet["extras"]}["sample"] == "true"
    assert "サンプルデータ" in {t["name"] for t in toilet["tags"]}
    # the Solr stand-in got the index documents CKAN sends, and search finds them
    found = ckan.action("package_search", q="tags:自治体標準ODS", rows=100)
    assert found["count"] == len(datasets())


def test_republishing_unchanged_data_uploads_nothing(ckan, proxy, base_files):
    before = {slug: p["metadata_modified"] for slug, p in packages(ckan).items()}
    result = publish(proxy, ckan, base_files)
    assert proxy.uploads == []
    assert result.uploads == 0
    assert not any(r.endswith(("package_patch", "package_update")) for r in proxy.requests)
    assert {slug: p["metadata_modified"] for slug, p in packages(ckan).items()} == before


def test_one_changed_row_uploads_only_that_datasets_files(ckan, proxy, base_files):
    files = changed(base_files, "evacuation_space", "想定収容人数", "2500", row=0)
    result = publish(proxy, ckan, files)
    assert proxy.uploads == ["131024_evacuation_space.csv", "131024_evacuation_space.json"]
    assert [d.ckan_name for d in result.datasets if d.uploaded] == ["131024-evacuation-space"]
    evac = ckan.action("package_show", id="131024-evacuation-space")
    csv_resource = next(r for r in evac["resources"] if r["format"] == "CSV")
    assert "2500" in requests.get(csv_resource["url"], timeout=30).content.decode("utf-8-sig").splitlines()[1]
    assert len(evac["resources"]) == 2  # replaced in place, not added
    # and back to the real data, so later tests start from the exported state
    publish(proxy, ckan, base_files)
    assert len(proxy.uploads) == 2


def test_invalid_data_is_never_sent(ckan, proxy, base_files):
    files = changed(base_files, "evacuation_space", "緯度", "139.76")  # swapped coordinates
    with pytest.raises(PublishError) as error:
        publish(proxy, ckan, files)
    message = str(error.value)
    assert "CKAN には何も送っていません" in message
    assert "131024_evacuation_space.csv:2:緯度: 緯度 139.76 は中央区の範囲" in message
    assert proxy.requests == []


def test_a_wrong_api_key_is_reported_before_anything_changes(ckan, proxy, base_files):
    files = changed(base_files, "aed", "設置位置", "2階")
    with pytest.raises(PublishError) as error:
        publish(proxy, ckan, files, key="not-a-token")
    assert "API キー（CKAN_API_KEY）" in str(error.value)
    assert "何も変更していません" in str(error.value)
    assert proxy.uploads == []


def test_a_network_cut_mid_run_leaves_consistent_datasets_and_a_rerun_converges(ckan, proxy, base_files):
    files = changed(changed(base_files, "evacuation_space", "想定収容人数", "2600"),
                    "public_toilet", "設置位置", "公園内 南側")
    old_toilet = ckan.action("package_show", id="131024-public-toilet")
    proxy.drop_upload_number = 3  # evacuation CSV + JSON go through, the toilet CSV is cut
    with pytest.raises(PublishError) as error:
        publish(proxy, ckan, files)
    message = str(error.value)
    assert "接続できません" in message and "13 公衆トイレ一覧 の途中で止まりました" in message
    assert "もう一度 publish を実行すると" in message

    new = {f.dataset.slug: f for f in files}
    evac = ckan.action("package_show", id="131024-evacuation-space")
    assert {r["hash"] for r in evac["resources"]} == {new["evacuation_space"].csv_hash,
                                                     new["evacuation_space"].json_hash}
    toilet = ckan.action("package_show", id="131024-public-toilet")
    assert toilet["metadata_modified"] == old_toilet["metadata_modified"]
    for resource in toilet["resources"]:  # each file still matches its own hash
        served = requests.get(resource["url"], timeout=30).content
        assert resource["hash"] == __import__("hashlib").sha256(served).hexdigest()

    result = publish(proxy, ckan, files)
    assert proxy.uploads == ["131024_public_toilet.csv", "131024_public_toilet.json"]
    assert [d.label for d in result.datasets if d.uploaded] == ["13 公衆トイレ一覧"]
    publish(proxy, ckan, base_files)  # restore the exported state


def test_cli_publish_prints_each_dataset(ckan, hub):
    env = {**hub.env, "CKAN_URL": ckan.url, "CKAN_API_KEY": ckan.api_key}
    run = subprocess.run([sys.executable, "-m", "opendata", "publish"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "CKAN へ公開" in run.stderr  # the progress bar
    assert "03 指定緊急避難場所一覧" in run.stdout
    assert run.stdout.strip().splitlines()[-1].startswith(f"{len(datasets())} datasets published to")
    bad = subprocess.run([sys.executable, "-m", "opendata", "publish", "--quiet"], cwd=REPO,
                         env={**env, "CKAN_API_KEY": "wrong"}, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "API キー" in bad.stderr


def test_the_schema_files_do_not_depend_on_ckan():
    assert Path(by_slug("evacuation_space").schema_file).exists()


def test_admin_button_publishes_and_shows_the_same_messages(ckan, client, django_user_model, settings):
    settings.CKAN_URL, settings.CKAN_API_KEY = ckan.url, ckan.api_key
    client.force_login(django_user_model.objects.create_superuser("ckan-admin", "a@example.invalid", "pw"))
    html = client.post("/admin/opendata/").content.decode()
    assert "公開しました" in html
    assert "03 指定緊急避難場所一覧: " in html and f"{len(datasets())} datasets published to" in html
    settings.CKAN_API_KEY = "wrong"
    html = client.post("/admin/opendata/").content.decode()
    assert "API キー（CKAN_API_KEY）" in html
