"""Editors see the questions the assistant could not answer (admin menu)."""

from __future__ import annotations

import pytest

from cms.assistant import service
from cms.assistant.models import UnansweredQuestion

pytestmark = pytest.mark.django_db


def test_editors_see_unanswered_questions_in_the_admin(admin_client):
    service.record_unanswered("江東区のごみの出し方", "ja", UnansweredQuestion.Reason.NOT_SURE,
                              "gomi-dashikata", 0.51)
    listing = admin_client.get("/admin/snippets/assistant/unansweredquestion/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "江東区のごみの出し方" in html
    assert "gomi-dashikata" in html
    assert "チャットボットが答えられなかった質問" in html


def test_report_masks_phone_numbers_and_email_addresses():
    service.record_unanswered("連絡は 090-1234-5678 か taro@example.jp まで", "ja",
                              UnansweredQuestion.Reason.OUT_OF_SCOPE)
    saved = UnansweredQuestion.objects.latest("asked_at").question
    assert "090-1234-5678" not in saved and "taro@example.jp" not in saved


def test_chatbot_down_is_recorded_too(settings):
    settings.RASA_URL = "http://127.0.0.1:9"
    with pytest.raises(service.ChatbotUnavailable) as raised:
        service.ask("line-user-1", "住民票を取りたい")
    assert raised.value.body["replies"][0]["url"].startswith("/search/?q=")
    assert UnansweredQuestion.objects.filter(reason="unavailable").exists()
