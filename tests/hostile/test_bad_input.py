"""The bad inputs of issue 10, one by one: each gets its clear 4xx and changes nothing."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from django.test import Client

from cms.assistant.models import UnansweredQuestion
from cms.core import jsonio
from notifier.models import LineWebhookEvent, Subscriber

from .test_fuzz import LINE_BODIES, PUSH, RASA_REPLY, SECRET, line_signature

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def hub_settings(settings, rasa_standin):
    from django.core.cache import cache

    cache.clear()
    settings.RASA_URL = rasa_standin.url
    settings.LINE_CHANNEL_SECRET = SECRET
    settings.LINE_API_BASE = "http://127.0.0.1:9"
    return settings


def post(path, body: bytes, **extra):
    return Client().post(path, data=body, content_type="application/json", **extra)


@pytest.mark.parametrize("body", [
    b"[" * 20_000 + b"]" * 20_000,
    b'{"message": ' + b"1" * 5000 + b"}",
    b'{"message": "\\ud800", "sender": "a"}',
    b'{"message": "a\\u0000b"}',
    b'{"message": "ok", "sender": "\\udfff"}',
    b'{"message": "\xff\xfe"}',
    b'{"message": NaN}',
], ids=["deep", "huge-number", "surrogate-message", "nul", "surrogate-sender", "not-utf8", "nan"])
def test_chat_refuses_hostile_json_with_400(body):
    response = post("/api/chat/", body)
    assert response.status_code == 400 and response.json()["error"]
    assert not UnansweredQuestion.objects.exists()


@pytest.mark.parametrize("reply", [
    b"not json", b"[]", b'{"messages": "x"}', b'{"messages": [1]}', b'{"intent": []}',
    b'{"intent": {"confidence": "high"}, "messages": [{"text": "x"}]}',
    b'{"messages": [{"text": "x", "buttons": [{"title": []}]}]}',
    b"[" * 20_000,
])
def test_a_malformed_rasa_reply_is_the_unavailable_fallback(rasa_standin, reply):
    rasa_standin.reply = (200, reply)
    response = post("/api/chat/", json.dumps({"sender": "a", "message": "ごみ"}).encode())
    assert response.status_code == 503
    text = response.json()["replies"][0]["text"]
    assert "サイト内検索" in text and "03-3543-0211" in text


def test_a_javascript_link_from_rasa_is_never_passed_on(rasa_standin):
    reply = json.loads(json.dumps(RASA_REPLY))
    reply["messages"][0]["custom"]["url"] = "javascript:alert(document.cookie)"
    rasa_standin.reply = (200, json.dumps(reply).encode())
    response = post("/api/chat/", json.dumps({"sender": "a", "message": "ごみ"}).encode())
    assert response.status_code == 200
    assert response.json()["replies"][0]["url"] is None


@pytest.mark.parametrize("quiet", [{"start": "22:00+09:00", "end": "07:00"},
                                   {"start": "22:00", "end": "07:00Z"}, ["22:00", "07:00"],
                                   {"start": 22, "end": 7}])
def test_quiet_hours_with_an_offset_or_wrong_type_are_refused(quiet):
    response = post("/api/push/subscriptions", json.dumps({**PUSH, "quiet_hours": quiet}).encode())
    assert response.status_code == 400 and "quiet_hours" in response.json()["error"]
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("change", [
    {"endpoint": "https://fcm.googleapis.com/fcm/send/\\u0000x"},
    {"p256dh": PUSH["subscription"]["keys"]["p256dh"] + "!" * 300},
    {"endpoint": "https://fcm.googleapis.com/fcm/send/" + "x" * 3000},
])
def test_push_keys_and_endpoints_that_no_column_could_hold_are_refused(change):
    sub = json.loads(json.dumps(PUSH))
    if "p256dh" in change:
        sub["subscription"]["keys"]["p256dh"] = change["p256dh"]
        body = json.dumps(sub).encode()
    else:
        body = json.dumps(sub).replace(
            json.dumps(sub["subscription"]["endpoint"]), '"' + change["endpoint"] + '"').encode()
    response = post("/api/push/subscriptions", body)
    assert response.status_code == 400 and response.json()["error"]
    assert not Subscriber.objects.exists()


def test_a_non_ascii_line_signature_is_a_400():
    body = json.dumps(LINE_BODIES[0]).encode()
    response = post("/line/webhook/", body, HTTP_X_LINE_SIGNATURE="署名ä")
    assert response.status_code == 400
    assert not Subscriber.objects.exists() and not LineWebhookEvent.objects.exists()


@pytest.mark.parametrize("event", [
    "follow", 42, {"type": "follow", "source": "U123"}, {"type": "follow", "source": ["x"]},
    {"type": "message", "source": {"type": "user", "userId": "U1"}, "message": "hello"},
    {"type": "message", "source": {"type": "user", "userId": "U1"},
     "message": {"type": "text", "text": ["x"]}},
    {"type": "postback", "source": {"type": "user", "userId": "U1"}, "postback": "topic:gomi"},
    {"type": "postback", "source": {"type": "user", "userId": "U1"}, "postback": {"data": None}},
    {"type": "follow", "source": {"type": "user", "userId": "U" + "f" * 100}},
    {"type": ["follow"], "source": {"type": "user", "userId": "U1"}},
])
def test_signed_events_of_the_wrong_shape_are_skipped_and_logged(event, caplog):
    body = json.dumps({"destination": "U0", "events": [event, LINE_BODIES[0]["events"][0]]}).encode()
    with caplog.at_level(logging.WARNING, logger="notifier.webhook"):
        response = post("/line/webhook/", body, HTTP_X_LINE_SIGNATURE=line_signature(body))
    assert response.status_code == 200
    assert "LINE event skipped" in caplog.text
    # the well-formed follow event next to it is still handled
    assert Subscriber.objects.filter(line_user_id=LINE_BODIES[0]["events"][0]["source"]["userId"]
                                     ).exists()


@pytest.mark.parametrize("events", ['"x"', "{}", "1"])
def test_signed_bodies_whose_events_are_not_a_list_are_a_400(events):
    body = f'{{"destination": "U0", "events": {events}}}'.encode()
    response = post("/line/webhook/", body, HTTP_X_LINE_SIGNATURE=line_signature(body))
    assert response.status_code == 400 and not Subscriber.objects.exists()


@pytest.mark.parametrize("path", ["/search/?q=%00x", "/search/?q=" + "%00" * 500,
                                  "/search/?q=x%00&page=%00"])
def test_nul_in_search_gives_a_normal_page(path):
    response = Client().get(path)
    assert response.status_code == 200 and "検索" in response.content.decode()


@pytest.mark.parametrize("query", ["search=%00x", "slug=%00", "fields=%00", "child_of=%00",
                                   "id=99999999999999999999", "html_path=/%00/"])
def test_junk_api_parameters_are_a_400(query):
    path = "/api/v2/pages/find/" if query.startswith(("id", "html")) else "/api/v2/pages/"
    response = Client().get(f"{path}?{query}")
    assert response.status_code == 400 and response.json()["message"]


def test_feedback_with_a_nul_is_refused_and_stores_nothing():
    from cms.feedback.models import PageFeedback
    from cms.pages.models import TopicPage

    page = TopicPage.objects.live().first()
    response = Client().post("/feedback/", {"page": page.pk, "helpful": "no", "comment": "a\x00b"},
                             HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and not PageFeedback.objects.exists()


def test_decoder_limits():
    assert jsonio.decode(b'{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}
    assert jsonio.nesting_depth('{"a": "[[[[", "b": [[]]}') == 3
    for body in (b"[" * 21 + b"]" * 21, b"1" * 31, b"1e999", b"x" * (jsonio.MAX_BYTES + 1)):
        with pytest.raises(jsonio.BadInput):
            jsonio.decode(body)


@pytest.mark.slow
def test_html_url_starts_with_the_hub_origin_on_a_started_hub(request):
    hub_process = request.getfixturevalue("hub")  # the real hub: migrate, load_content, gunicorn
    items = requests.get(f"{hub_process.url}/api/v2/pages/", params={"fields": "slug"},
                         timeout=30).json()["items"]
    assert items and all(i["meta"]["html_url"].startswith(hub_process.url + "/") for i in items)
    feed = requests.get(f"{hub_process.url}/feeds/news/", timeout=30).text
    assert f"<link>{hub_process.url}/" in feed and "http://localhost/" not in feed
