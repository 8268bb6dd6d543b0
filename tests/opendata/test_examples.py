"""「オープンデータの活用例」 on /opendata/: the examples shown are run against the real 03 file."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys

import pytest

from opendata.catalogue import by_slug
from opendata.examples import EXAMPLES_DIR, column_letter, example_sources
from opendata.validation import WARD_LATITUDE, WARD_LONGITUDE

pytestmark = pytest.mark.django_db


@pytest.fixture
def evac_csv(client, tmp_path):
    """The 03 file exactly as a data user downloads it from the site."""
    response = client.get("/opendata/131024_evacuation_space.csv")
    assert response.status_code == 200
    path = tmp_path / "131024_evacuation_space.csv"
    path.write_bytes(response.content)
    return path


def run(script: str, *args: str, cwd) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES_DIR / f"{script}.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_the_page_shows_the_examples_it_runs(client):
    page = client.get("/opendata/").content.decode()
    assert '<h2 id="katsuyourei-title">オープンデータの活用例</h2>' in page
    shown = [html.unescape(code) for code in re.findall(r'<pre class="od-code"><code>(.*?)</code></pre>', page, re.S)]
    assert shown == [example_sources()["tsunami_sites"], example_sources()["evacuation_map"]]
    assert "=COUNTIF(AC:AC,1)" in page and "=SUMIFS(AH:AH,AC:AC,1)" in page


def test_python_example_lists_the_tsunami_sites(evac_csv, tmp_path):
    output = run("tsunami_sites", evac_csv.name, cwd=tmp_path).splitlines()
    tsunami = [r for r in rows(evac_csv) if r["災害種別_津波"] == "1"]
    total = sum(int(r["想定収容人数"]) for r in tsunami if r["想定収容人数"])
    assert len(tsunami) == 6
    assert output[-1] == f"6か所、想定収容人数の合計 {total}人"
    assert [line.split()[0] for line in output[:-1]] == [r["名称"] for r in tsunami]


def test_map_example_makes_geojson_of_every_site(evac_csv, tmp_path):
    output = run("evacuation_map", evac_csv.name, "sites.geojson", cwd=tmp_path)
    assert output.strip() == "31か所を sites.geojson に書き出しました"
    collection = json.loads((tmp_path / "sites.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 31
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert WARD_LATITUDE[0] <= lat <= WARD_LATITUDE[1] and WARD_LONGITUDE[0] <= lon <= WARD_LONGITUDE[1]
    taimei = next(f for f in collection["features"] if f["properties"]["名称"] == "泰明小学校")
    assert taimei["properties"]["使える災害"] == ["洪水", "高潮", "地震", "内水氾濫"]


def test_excel_example_names_the_right_columns(evac_csv):
    """What Excel's COUNTIF/SUMIFS over columns AC and AH compute, done on the same file."""
    header = next(csv.reader(io.StringIO(evac_csv.read_text(encoding="utf-8-sig"))))
    assert header == by_slug("evacuation_space").header
    letters = {column_letter(i): name for i, name in enumerate(header)}
    assert (letters["AC"], letters["AH"]) == ("災害種別_津波", "想定収容人数")
    assert evac_csv.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it without 文字化け
    assert sum(r["災害種別_津波"] == "1" for r in rows(evac_csv)) == 6
