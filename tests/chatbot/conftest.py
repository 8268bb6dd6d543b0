"""A real Rasa assistant for the chatbot tests, started once per session."""

from __future__ import annotations

import pytest

from tests.chatbot.rasa_stack import RasaStack, ensure_model, venv_present


@pytest.fixture(scope="session")
def rasa(tmp_path_factory):
    if not venv_present():
        pytest.skip("the chatbot's Rasa venv (chatbot/.venv) is absent: run `make chatbot-model` "
                    "(make test creates it before pytest)")
    ensure_model()
    with RasaStack(tmp_path_factory.mktemp("rasa")) as stack:
        yield stack


@pytest.fixture
def rasa_settings(settings, rasa):
    """Point the hub's chat service at the test assistant."""
    settings.RASA_URL = rasa.url
    return settings
