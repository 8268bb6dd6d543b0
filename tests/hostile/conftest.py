"""The fuzz suite's tools: a Rasa stand-in that answers what a test tells it, a client
that turns server errors into 500 responses instead of exceptions, and a tally of
inputs and 5xx per endpoint printed at the end of the run."""

from __future__ import annotations

import collections
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.apps import apps
from django.test import Client

# HOSTILE_COUNT_ONLY=1: record every status without failing (the "before" figures).
COUNT_ONLY = os.environ.get("HOSTILE_COUNT_ONLY") == "1"
TALLY: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
# The apps whose rows public input could create or change.
HUB_APPS = ("core", "pages", "sitesearch", "feedback", "assistant", "notifier", "wagtailcore")


class RasaStandIn(ThreadingHTTPServer):
    """Answers POST /webhooks/hub/webhook with `reply` (status, bytes), like a broken Rasa."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RasaHandler)
        self.reply: tuple[int, bytes] = (200, b"{}")
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class _RasaHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, body = self.server.reply
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def rasa_standin():
    server = RasaStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hostile_client():
    return Client(raise_request_exception=False)


def db_fingerprint() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in HUB_APPS and not model._meta.proxy
    }


def check(endpoint: str, response, before: dict[str, int] | None = None,
          allowed_5xx: tuple[int, ...] = ()) -> None:
    """Tally the answer; fail on a 5xx, and on any database change after a 4xx."""
    status = response.status_code
    TALLY[endpoint]["inputs"] += 1
    if status >= 500 and status not in allowed_5xx:
        TALLY[endpoint]["5xx"] += 1
    if COUNT_ONLY:
        return
    assert status < 500 or status in allowed_5xx, (status, response.content[:300])
    if 400 <= status < 500 and before is not None:
        assert db_fingerprint() == before, "rejected input changed the database"


def pytest_terminal_summary(terminalreporter) -> None:
    if not TALLY:
        return
    terminalreporter.section("hostile input: requests and unexpected 5xx per endpoint")
    for endpoint, counts in sorted(TALLY.items()):
        terminalreporter.write_line(f"{endpoint:40} {counts['inputs']:6} inputs "
                                    f"{counts['5xx']:5} x 5xx")
    total = sum(c["inputs"] for c in TALLY.values())
    errors = sum(c["5xx"] for c in TALLY.values())
    terminalreporter.write_line(f"{'total':40} {total:6} inputs {errors:5} x 5xx")
    if path := os.environ.get("HOSTILE_TALLY_FILE"):
        with open(path, "w") as out:
            json.dump({k: dict(v) for k, v in TALLY.items()}, out, indent=1)
