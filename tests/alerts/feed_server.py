"""A JMA-like Atom feed on 127.0.0.1, for the tests and bench/alert_latency.py (no Django)."""

from __future__ import annotations

import email.utils
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TELEGRAMS = Path(__file__).parent / "jma"


def telegram(name: str) -> bytes:
    return (TELEGRAMS / name).read_bytes()


class JmaFeed:
    """JMA's feed protocol as the watcher sees it: an Atom feed of entries, each linking
    to one telegram; conditional GET answered with 304 when nothing changed."""

    def __init__(self):
        self.files: dict[str, tuple[bytes, str]] = {}
        self.entries: list[tuple[str, str, str, str]] = []  # id, title, path, updated
        self.hits: dict[str, int] = {}
        self.not_modified = 0
        self.lock = threading.Lock()
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with feed.lock:
                    feed.hits[self.path] = feed.hits.get(self.path, 0) + 1
                if self.path == "/feed.xml":
                    body, etag, modified = feed.document()
                    if (self.headers.get("If-None-Match") == etag
                            or self.headers.get("If-Modified-Since") == modified):
                        with feed.lock:
                            feed.not_modified += 1
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.end_headers()
                        return
                    headers = {"Content-Type": "application/atom+xml", "ETag": etag,
                               "Last-Modified": modified}
                elif self.path in feed.files:
                    body, kind = feed.files[self.path]
                    headers = {"Content-Type": kind}
                else:
                    self.send_error(404)
                    return
                self.send_response(200)  # an error page is served with 200 too
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, entry_id: str, title: str, name: str | None = None, *, body: bytes | None = None,
            kind: str = "application/xml", path: str | None = None) -> str:
        path = path or f"/data/{entry_id}.xml"
        if path not in self.files:
            self.files[path] = (body if body is not None else telegram(name), kind)
        with self.lock:
            n = len(self.entries)
            self.entries.append((entry_id, title, path, f"2026-07-01T00:{n // 60:02d}:{n % 60:02d}Z"))
        return path

    def serve(self, path: str, body: bytes, kind: str = "application/xml") -> None:
        self.files[path] = (body, kind)

    def document(self) -> tuple[bytes, str, str]:
        with self.lock:
            entries = list(self.entries)
        items = "".join(
            f"<entry><title>{title}</title><id>urn:uuid:{eid}</id><updated>{updated}</updated>"
            f"<author><name>気象庁</name></author>"
            f'<link type="application/xml" href="{self.url}{path}"/>'
            f'<content type="text">【{title}】</content></entry>'
            for eid, title, path, updated in reversed(entries)
        )
        body = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
                f'lang="ja"><title>高頻度（随時）</title><id>{self.url}/feed.xml</id>'
                f"<updated>2026-07-01T01:00:00Z</updated>{items}</feed>").encode()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        modified = email.utils.formatdate(1_780_000_000 + len(entries), usegmt=True)
        return body, etag, modified

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
