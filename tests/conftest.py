"""Shared fixtures: the test database holds the real seed content, loaded once."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API keeps an asyncio loop running in the main thread for the whole
# session; Django would then refuse ORM calls made by later tests ("async context").
# Tests are single-threaded, so the guard protects nothing here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)


@pytest.fixture(autouse=True)
def forget_kept_search_responses():
    """Each test's rollback undoes its data but not the page-cache generation (kept in the
    cache store, which has no transactions), so a whole search response kept under that
    generation would outlive the data it showed. In the hub nothing rolls committed data
    back; here every test starts with no kept responses."""
    from cms.sitesearch import responses

    responses.forget_all()
    yield


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    """A real hub (gunicorn + Wagtail) on a free port, with its own database and content."""
    from tests.support.hub import HubProcess

    with HubProcess(tmp_path_factory.mktemp("hub")) as server:
        yield server


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()
