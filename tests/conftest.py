"""Shared fixtures: the test database holds the real seed content, loaded once."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    """A real hub (gunicorn + Wagtail) on a free port, with its own database and content."""
    from tests.support.hub import HubProcess

    with HubProcess(tmp_path_factory.mktemp("hub")) as server:
        yield server
