"""The JMA-like feed (feed_server.py) serving the real telegrams of tests/alerts/jma/, and
running the watcher over them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.notifier.conftest import channels, line_api, push_service  # noqa: F401

from .feed_server import TELEGRAMS, JmaFeed, telegram  # noqa: F401


@pytest.fixture
def jma(settings):
    feed = JmaFeed()
    settings.JMA_FEED_URLS = [f"{feed.url}/feed.xml"]
    settings.JMA_RETRY_BASE_SECONDS = 0
    yield feed
    feed.close()


@pytest.fixture
def poll(django_capture_on_commit_callbacks):
    """One `watch_jma_feeds --once`; the notices it queues are planned and delivered by the
    task backend (django-tasks) when the transaction commits, as in production."""

    def run() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("watch_jma_feeds", "--once", "--no-sweep", stdout=out)
        return out.getvalue()
    return run
