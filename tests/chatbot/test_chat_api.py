"""POST /api/chat/ (contract §2) against the real, trained Rasa assistant."""

from __future__ import annotations

import json
import logging
from urllib.parse import unquote

import pytest

from cms.assistant.models import UnansweredQuestion

pytestmark = [pytest.mark.rasa, pytest.mark.django_db]

PHONE = "03-3543-0211"


def post(client, body, raw: bool = False):
    data = body if raw else json.dumps(body, ensure_ascii=False)
    return client.post("/api/chat/", data=data, content_type="application/json")


# --- validation (no assistant needed) ----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        json.dumps({"sender": "t-1"}),
        json.dumps({"sender": "t-1", "message": ""}),
        json.dumps({"sender": "t-1", "message": "   "}),
        json.dumps({"sender": "t-1", "message": 42}),
        json.dumps({"sender": "t-1", "message": "あ" * 501}),
        json.dumps({"sender": "t-1", "message": "住民票", "lang": "fr"}),
        json.dumps(["住民票"]),
    ],
    ids=["invalid-json", "missing", "empty", "blank", "not-a-string", "over-500", "bad-lang",
         "not-an-object"],
)
def test_bad_requests_get_400_with_an_error_message(client, body):
    response = post(client, body, raw=True)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str) and response.json()["error"]


def test_500_characters_are_accepted(client, rasa_settings):
    response = post(client, {"sender": "t-500", "message": "粗大ごみ" + "あ" * 496})
    assert response.status_code == 200


def test_get_is_not_allowed(client):
    assert client.get("/api/chat/").status_code == 405


# --- answers -------------------------------------------------------------------


def test_faq_answer_has_faq_id_and_link_to_its_page(client, rasa_settings):
    response = post(client, {"sender": "t-faq", "message": "粗大ゴミってどうやって出すの？", "lang": "ja"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"replies", "intent", "confidence"}
    assert body["intent"] == "faq"
    assert 0.0 <= body["confidence"] <= 1.0
    reply = body["replies"][0]
    assert set(reply) == {"text", "faq_id", "url", "buttons"}
    assert reply["faq_id"] == "sodai-gomi"
    assert reply["url"] == "/gomi/sodai-gomi/"
    assert "処理券" in reply["text"]
    assert client.get(reply["url"]).status_code == 200


@pytest.mark.parametrize(
    "question, faq_id",
    [
        ("住民票の写しがほしいんですけど", "juminhyo"),
        ("じゅうみんひょう", "juminhyo"),
        ("子どもが生まれたら何の届けを出す？", "shussei"),
        ("保育園に入りたい", "hoikuen"),
        ("区役所は何時まで開いてる", "kaichou-jikan"),
    ],
)
def test_residents_own_words_reach_the_right_faq(client, rasa_settings, question, faq_id):
    body = post(client, {"sender": f"t-{faq_id}", "message": question}).json()
    assert body["replies"][0]["faq_id"] == faq_id


def test_out_of_scope_gets_the_fallback_with_search_and_phone(client, rasa_settings):
    question = "おすすめのラーメン屋を教えて"
    body = post(client, {"sender": "t-oos", "message": question}).json()
    assert body["intent"] in {"out_of_scope", "nlu_fallback"}
    reply = body["replies"][0]
    assert reply["faq_id"] is None
    assert "うまくお答えできません" in reply["text"] and PHONE in reply["text"]
    assert unquote(reply["url"]) == f"/search/?q={question}"


def test_fallback_questions_are_kept_for_editors_without_the_sender(client, rasa_settings):
    question = "宇宙人は区役所に住民登録できますか、電話は090-1234-5678です"
    post(client, {"sender": "resident-secret-id", "message": question})
    saved = UnansweredQuestion.objects.latest("asked_at")
    assert saved.question.startswith("宇宙人は区役所に")
    assert "090-1234-5678" not in saved.question
    assert "resident-secret-id" not in json.dumps(
        {f.name: str(getattr(saved, f.name)) for f in saved._meta.fields}
    )


def test_greeting_is_not_an_faq(client, rasa_settings):
    body = post(client, {"sender": "t-hi", "message": "こんにちは"}).json()
    assert body["intent"] == "greet"
    assert body["replies"][0]["faq_id"] is None


def test_nearest_evacuation_site_by_town(client, rasa_settings):
    body = post(client, {"sender": "t-evac", "message": "晴海5丁目の近くの避難場所は？"}).json()
    assert body["intent"] == "ask_evacuation_site"
    text = body["replies"][0]["text"]
    assert "晴海" in text and "ほっとプラザはるみ" in text
    assert body["replies"][0]["url"] == "/bosai/hinan-basho/"


def test_who_to_contact(client, rasa_settings):
    body = post(client, {"sender": "t-contact", "message": "保育園のことはどこの課に問い合わせればいい？"}).json()
    assert body["intent"] == "ask_contact"
    assert "保育課" in body["replies"][0]["text"]
    assert PHONE in body["replies"][0]["text"]


def test_english_says_japanese_only_with_english_pages_and_phone(client, rasa_settings):
    body = post(client, {"sender": "t-en", "message": "How do I throw away a sofa?", "lang": "en"}).json()
    reply = body["replies"][0]
    assert "Japanese" in reply["text"] and PHONE in reply["text"]
    assert reply["url"] == "/en/"
    assert reply["faq_id"] is None


def test_english_never_presents_a_japanese_answer(client, rasa_settings):
    body = post(client, {"sender": "t-en2", "message": "粗大ごみ", "lang": "en"}).json()
    assert all(r["faq_id"] is None for r in body["replies"])
    assert "処理券" not in body["replies"][0]["text"]


def test_rate_limit_per_sender(client, rasa_settings):
    rasa_settings.CHAT_RATE_LIMIT = 3
    codes = [post(client, {"sender": "t-busy", "message": "こんにちは"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "error" in post(client, {"sender": "t-busy", "message": "こんにちは"}).json()
    # another resident is not affected
    assert post(client, {"sender": "t-calm", "message": "こんにちは"}).status_code == 200


def test_logs_never_contain_the_sender_or_the_question(client, rasa_settings, caplog):
    with caplog.at_level(logging.DEBUG):
        post(client, {"sender": "resident-0123", "message": "住民票を取りたい山田花子です"})
    assert "resident-0123" not in caplog.text
    assert "山田花子" not in caplog.text


def test_chatbot_down_gives_503_with_search_and_phone(client, settings):
    settings.RASA_URL = "http://127.0.0.1:9"  # nothing listens there
    response = post(client, {"sender": "t-down", "message": "粗大ごみの出し方"})
    assert response.status_code == 503
    reply = response.json()["replies"][0]
    assert PHONE in reply["text"]
    assert reply["url"].startswith("/search/?q=")
    assert reply["faq_id"] is None
