"""JMA feeds: Chuo City warnings and strong earthquakes become one urgent notice each
and switch the site's emergency mode; lifting the warnings switches it back."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Site

from cms.core.models import EmergencySettings
from notifier.models import Notice

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "jma"


class FeedServer:
    """JMA's Atom feed and entry XML, served from 127.0.0.1."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.entries: list[tuple[str, str, str, str]] = []  # id, title, file, updated
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/feed.xml":
                    data, kind = server.feed().encode(), "application/atom+xml"
                elif self.path in server.files:
                    data, kind = server.files[self.path], "application/xml"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, entry_id: str, title: str, xml: bytes, updated: str) -> None:
        path = f"/data/{entry_id}.xml"
        self.files[path] = xml
        self.entries.append((entry_id, title, path, updated))

    def feed(self) -> str:
        entries = "".join(
            f"<entry><title>{title}</title><id>urn:uuid:{eid}</id><updated>{updated}</updated>"
            f"<author><name>気象庁</name></author>"
            f'<link type="application/xml" href="{self.url}{path}"/>'
            f"<content type=\"text\">【{title}】</content></entry>"
            for eid, title, path, updated in reversed(self.entries)
        )
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" lang="ja">'
                f"<title>高頻度（随時）</title><id>{self.url}/feed.xml</id>"
                f"<updated>2026-07-02T01:05:00Z</updated>{entries}</feed>")

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def jma(settings):
    server = FeedServer()
    settings.JMA_FEED_URLS = [f"{server.url}/feed.xml"]
    from notifier import jma as watcher

    watcher._feed_cache.clear()
    yield server
    server.close()


def poll() -> str:
    out = StringIO()
    call_command("watch_jma_feeds", "--once", "--no-sweep", stdout=out)
    return out.getvalue()


def emergency() -> EmergencySettings:
    return EmergencySettings.for_site(Site.objects.get(is_default_site=True))


def test_warning_for_chuo_city_notifies_once_and_switches_emergency_mode(jma):
    warning = (SAMPLES / "vpww54_warning.xml").read_bytes()
    jma.add("w1", "気象特別警報・警報・注意報", warning, "2026-07-01T06:12:00Z")
    jma.add("f1", "府県天気予報（Ｒ１）", b"<Report/>", "2026-07-01T06:13:00Z")
    assert "notice" in poll()
    notice = Notice.objects.get(source="jma")
    assert notice.topics == ["bosai"] and notice.severity == "urgent" and notice.areas == []
    assert "大雨警報" in notice.title and "中央区" in notice.title
    state = emergency()
    assert state.active and state.source == "jma" and "大雨警報" in state.headline
    assert state.changed_at is not None

    assert poll() == ""  # the same entry again: nothing new
    assert Notice.objects.filter(source="jma").count() == 1

    jma.add("w2", "気象特別警報・警報・注意報", (SAMPLES / "vpww54_lifted.xml").read_bytes(),
            "2026-07-01T12:40:00Z")
    poll()
    assert not emergency().active
    assert Notice.objects.filter(source="jma").count() == 1  # lifting is not a new alarm


def test_strong_earthquake_in_tokyo_23_wards_is_one_notice_per_quake(jma):
    quake = (SAMPLES / "vxse53_shindo5.xml").read_bytes()
    jma.add("q1", "震度速報", quake.replace("震源・震度に関する情報</Title>".encode(), "震度速報</Title>".encode()),
            "2026-07-02T01:02:00Z")
    jma.add("q2", "震源・震度に関する情報", quake, "2026-07-02T01:05:00Z")
    poll()
    notices = Notice.objects.filter(source="jma")
    assert notices.count() == 1  # 震度速報 and 震源・震度情報 of one quake: one notice
    assert "震度5弱" in notices[0].title and notices[0].severity == "urgent"
    assert emergency().active and "震度5弱" in emergency().headline


def test_editor_emergency_message_is_not_overwritten(jma):
    state = emergency()
    state.active, state.headline, state.source = True, "区役所からの緊急のお知らせ", "editor"
    state.save()
    jma.add("w1", "気象特別警報・警報・注意報", (SAMPLES / "vpww54_warning.xml").read_bytes(),
            "2026-07-01T06:12:00Z")
    poll()
    assert emergency().headline == "区役所からの緊急のお知らせ"
    assert Notice.objects.filter(source="jma").count() == 1
