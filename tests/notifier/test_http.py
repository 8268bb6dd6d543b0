"""The push API and LINE webhook as browsers and LINE call them (contract §2)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid

import pytest

from notifier.models import LineWebhookEvent, Subscriber

from .servers import line_user_id

pytestmark = pytest.mark.django_db


def post_json(client, path, data, method="post"):
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")


def test_vapid_public_key_is_an_uncompressed_p256_point(client):
    key = client.get("/api/push/vapid-public-key").json()["publicKey"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4


def test_browser_subscribes_changes_and_cancels(client, channels):
    push_service, _ = channels
    sub = push_service.subscription()
    body = {"subscription": sub, "topics": ["gomi", "bosai"], "areas": ["tsukishima"], "lang": "ja"}
    created = post_json(client, "/api/push/subscriptions", body)
    assert created.status_code == 201
    subscriber = Subscriber.objects.get(pk=int(created.json()["id"]))
    assert subscriber.topics == ["bosai", "gomi"] and subscriber.areas == ["tsukishima"]
    changed = post_json(client, "/api/push/subscriptions", {**body, "areas": []})
    assert changed.status_code == 200 and changed.json()["id"] == str(subscriber.pk)
    subscriber.refresh_from_db()
    assert subscriber.areas == ["all"]
    gone = post_json(client, "/api/push/subscriptions", {"endpoint": sub["endpoint"]}, "delete")
    assert gone.status_code == 204 and not Subscriber.objects.exists()


@pytest.mark.parametrize("change, message", [
    ({"topics": ["nope"]}, "unknown topic"),
    ({"areas": ["shibuya"]}, "unknown area"),
    ({"topics": []}, "at least one topic"),
    ({"subscription": {"endpoint": "http://evil.example/push", "keys": {}}}, "p256dh"),
    ({"keys_p256dh": "AAAA"}, "P-256"),
    ({"endpoint": "http://fcm.googleapis.com/x"}, "https"),
    ({"endpoint": "https://push.example.com/x"}, "not a known browser push service"),
    ({"lang": "fr"}, "lang"),
])
def test_bad_subscriptions_get_a_clear_400(client, channels, change, message, settings):
    push_service, _ = channels
    sub = push_service.subscription()
    body = {"subscription": sub, "topics": ["gomi"], "areas": [], "lang": "ja"}
    if "keys_p256dh" in change:
        sub["keys"]["p256dh"] = change.pop("keys_p256dh")
    if "endpoint" in change:
        settings.WEBPUSH_ALLOW_LOOPBACK = False
        sub["endpoint"] = change.pop("endpoint")
    body.update(change)
    response = post_json(client, "/api/push/subscriptions", body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Subscriber.objects.exists()


def test_loopback_endpoints_need_the_explicit_setting(client, channels, settings):
    push_service, _ = channels
    settings.WEBPUSH_ALLOW_LOOPBACK = False
    body = {"subscription": push_service.subscription(), "topics": ["gomi"], "lang": "ja"}
    assert post_json(client, "/api/push/subscriptions", body).status_code == 400
    assert client.post("/api/push/subscriptions", data="{not json", content_type="application/json").status_code == 400


def test_subscribe_page_and_service_worker(client):
    page = client.get("/notifications/")
    assert page.status_code == 200 and "通知を受け取る" in page.content.decode()
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert "showNotification" in sw.content.decode()
    assert 'href="/notifications/"' in client.get("/").content.decode()


# --- LINE webhook ---------------------------------------------------------------

SECRET = "test-line-secret"


def line_post(client, events, secret=SECRET, tamper=False, signature=True):
    body = json.dumps({"destination": "Uxxxxxxxx", "events": events}).encode()
    sig = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    if tamper:
        body = body.replace(b"follow", b"unfollow")
    headers = {"HTTP_X_LINE_SIGNATURE": sig} if signature else {}
    return client.post("/line/webhook/", data=body, content_type="application/json", **headers)


def event(kind, user, **extra):
    return {"type": kind, "mode": "active", "timestamp": 1700000000000,
            "webhookEventId": uuid.uuid4().hex.upper()[:26], "replyToken": uuid.uuid4().hex,
            "deliveryContext": {"isRedelivery": False},
            "source": {"type": "user", "userId": user}, **extra}


def test_verification_request_and_bad_signatures(client, channels):
    assert line_post(client, []).status_code == 200
    user = line_user_id(1)
    assert line_post(client, [event("follow", user)], tamper=True).status_code == 400
    assert line_post(client, [event("follow", user)], secret="wrong").status_code == 400
    assert line_post(client, [event("follow", user)], signature=False).status_code == 400
    assert not Subscriber.objects.exists() and not LineWebhookEvent.objects.exists()


def test_follow_settings_chat_and_unfollow(client, channels):
    _, line_api = channels
    user = line_user_id(2)
    follow = event("follow", user)
    assert line_post(client, [follow]).status_code == 200
    resident = Subscriber.objects.get(line_user_id=user)
    assert resident.topics == ["bosai"] and resident.areas == ["all"]  # safety first
    welcome = line_api.replies[-1]
    assert welcome["replyToken"] == follow["replyToken"]
    assert "防災" in welcome["messages"][0]["text"] and welcome["messages"][0]["quickReply"]["items"]

    # a redelivery of the same event is ignored
    line_post(client, [{**follow, "deliveryContext": {"isRedelivery": True}}])
    assert len(line_api.replies) == 1

    line_post(client, [event("postback", user, postback={"data": "topic:gomi"})])
    line_post(client, [event("postback", user, postback={"data": "area:tsukishima"})])
    resident.refresh_from_db()
    assert resident.topics == ["bosai", "gomi"] and resident.areas == ["tsukishima"]
    assert "ごみ" in line_api.replies[-1]["messages"][0]["text"]

    line_post(client, [event("message", user, message={"type": "text", "id": "1", "text": "設定"})])
    assert "いまの通知設定" in line_api.replies[-1]["messages"][0]["text"]

    chat = event("message", user, message={"type": "text", "id": "2", "text": "粗大ごみの出し方は？"})
    line_post(client, [chat])
    answer = line_api.replies[-1]
    assert answer["replyToken"] == chat["replyToken"] and answer["messages"][0]["text"]

    line_post(client, [event("unfollow", user)])
    assert not Subscriber.objects.filter(line_user_id=user).exists()


def test_chat_reply_uses_what_the_assistant_answers(client, channels, monkeypatch, settings):
    """The assistant service is another team's; the reply carries whatever it returns."""
    _, line_api = channels
    from cms.assistant import service

    def ask(sender, message, lang="ja"):
        return {"replies": [{"text": f"echo:{message}", "faq_id": None, "url": "/gomi/sodai-gomi/",
                             "buttons": [{"title": "はい", "payload": "/affirm"}]}],
                "intent": "x", "confidence": 1.0}

    monkeypatch.setattr(service, "ask", ask)
    user = line_user_id(3)
    line_post(client, [event("message", user, message={"type": "text", "id": "3", "text": "こんにちは"})])
    message = line_api.replies[-1]["messages"][0]
    # site-relative links from the assistant become full addresses residents can tap
    assert message["text"] == f"echo:こんにちは\n{settings.HUB_BASE_URL}/gomi/sodai-gomi/"
    assert message["quickReply"]["items"][0]["action"]["label"] == "はい"

    def down(sender, message, lang="ja"):
        raise service.ChatbotUnavailable({"replies": [{"text": "ただいま応答できません。サイト内検索をご利用ください"}]})

    monkeypatch.setattr(service, "ask", down)
    line_post(client, [event("message", user, message={"type": "text", "id": "4", "text": "?"})])
    assert "サイト内検索" in line_api.replies[-1]["messages"][0]["text"]


def test_an_editors_label_change_reaches_the_subscribe_page_and_the_line_menus(client, channels):
    """Editors rename a topic and a district in the admin (区の基本情報): residents read the
    new labels on /notifications/ and in LINE's menus and replies; keys stay the same."""
    from cms.core.models import Area, Topic

    Topic.objects.filter(key="gomi").update(name_ja="ごみ・資源の回収")
    Area.objects.filter(key="tsukishima").update(name_ja="月島・晴海地域")
    page = client.get("/notifications/").content.decode()
    assert "ごみ・資源の回収" in page and "月島・晴海地域" in page
    assert "ごみ・リサイクル" not in page and "月島地域" not in page

    _, line_api = channels
    user = line_user_id(3)
    line_post(client, [event("follow", user)])
    line_post(client, [event("postback", user, postback={"data": "menu:topics"})])
    labels = [item["action"]["label"] for item in line_api.replies[-1]["messages"][0]["quickReply"]["items"]]
    assert "＋ごみ・資源の回収" in labels
    line_post(client, [event("postback", user, postback={"data": "menu:areas"})])
    labels = [item["action"]["label"] for item in line_api.replies[-1]["messages"][0]["quickReply"]["items"]]
    assert "＋月島・晴海地域" in labels
    line_post(client, [event("postback", user, postback={"data": "topic:gomi"})])
    assert line_api.replies[-1]["messages"][0]["text"].startswith("ごみ・資源の回収の通知を")
    assert Subscriber.objects.get(line_user_id=user).topics == ["bosai", "gomi"]


# --- contract §3a: which browser subscriptions are accepted -----------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("endpoint, accepted", [
    ("https://fcm.googleapis.com/fcm/send/abc", True),
    ("https://fcm.googleapis.com:443/fcm/send/abc", True),
    ("https://FCM.googleapis.com/fcm/send/abc", True),
    ("https://wns2-par02p.notify.windows.com/w/?token=abc", True),
    ("https://fcm.googleapis.com:99999/fcm/send/x", False),
    ("https://fcm.googleapis.com:abc/fcm/send/x", False),
    ("https://fcm.googleapis.com:0/fcm/send/x", False),
    ("https://fcm.googleapis.com:8443/fcm/send/x", False),
    ("https://fcm.googleapis.com:/fcm/send/x", False),
    ("https://user:pw@fcm.googleapis.com/fcm/send/x", False),
    ("https://fcm.googleapis.com/fcm/send/ｘ", False),
    ("https://fcm.googleapis.com/fcm/send/" + "a" * 1000, False),
    ("https://fcm.googleapis.com/fcm/send/a b", False),
    ("http://fcm.googleapis.com/fcm/send/x", False),
    ("https://fcm.googleapis.com.evil.example/x", False),
    ("https://evilnotify.windows.com/x", False),
])
def test_push_endpoints_per_contract_3a(client, channels, settings, endpoint, accepted):
    push_service, _ = channels
    settings.WEBPUSH_ALLOW_LOOPBACK = False
    sub = push_service.subscription()
    sub["endpoint"] = endpoint
    response = post_json(client, "/api/push/subscriptions", {"subscription": sub, "topics": ["gomi"]})
    assert response.status_code == (201 if accepted else 400), response.content
    if not accepted:
        assert "endpoint" in response.json()["error"]
    assert Subscriber.objects.exists() is accepted


def test_push_keys_per_contract_3a(client, channels):
    push_service, _ = channels
    good = push_service.subscription()
    point = base64.urlsafe_b64decode(good["keys"]["p256dh"] + "=")
    auth = base64.urlsafe_b64decode(good["keys"]["auth"] + "==")
    std = base64.b64encode(point).decode()  # may carry + and /
    cases = {
        "padded p256dh": ({"p256dh": _b64(point) + "="}, True),
        "padded auth": ({"auth": _b64(auth) + "=="}, True),
        "standard base64 alphabet": ({"p256dh": std.replace("-", "+")[:-1] + "+"}, False),
        "non-canonical last character": ({"p256dh": _b64(point)[:-1] + chr(ord(_b64(point)[-1]) + 1)}, False),
        "64 bytes": ({"p256dh": _b64(point[:64])}, False),
        "compressed point": ({"p256dh": _b64(bytes([2 + (point[-1] & 1)]) + point[1:33])}, False),
        "not on the curve": ({"p256dh": _b64(b"\x04" + b"\x01" * 64)}, False),
        "auth 15 bytes": ({"auth": _b64(auth[:15])}, False),
        "auth with a dot": ({"auth": _b64(auth)[:-1] + "."}, False),
        "p256dh not a string": ({"p256dh": 12}, False),
    }
    for name, (keys, accepted) in cases.items():
        sub = push_service.subscription()
        sub["keys"].update(keys)
        response = post_json(client, "/api/push/subscriptions", {"subscription": sub, "topics": ["gomi"]})
        assert response.status_code == (201 if accepted else 400), (name, response.content)


# --- LINE: replies leave the request; an expired reply token becomes a push ----------

def test_expired_reply_token_is_answered_by_push(client, channels):
    _, line_api = channels
    user = line_user_id(5)
    line_post(client, [event("follow", user)])
    settings_event = event("message", user, message={"type": "text", "id": "9", "text": "設定"})
    line_api.expired_reply_tokens.add(settings_event["replyToken"])
    assert line_post(client, [settings_event]).status_code == 200
    [pushed] = line_api.pushes
    assert pushed["to"] == user and "いまの通知設定" in pushed["messages"][0]["text"]


def test_unfollow_removes_the_user_from_batches_still_to_be_sent(client, channels):
    from notifier.models import LineBatch
    from notifier.notices import create_notice

    from .test_fanout import run_until_done

    _, line_api = channels
    users = [line_user_id(n) for n in (21, 22, 23)]
    for user in users:
        line_post(client, [event("follow", user)])
    line_api.fail_next(1, status=500)
    notice, _ = create_notice(title="大雨", body="注意", topics=["bosai"], plan_now=True)
    from notifier.sending import drain

    drain(notice.pk)
    batch = LineBatch.objects.get(notice=notice)
    assert batch.status == "failed_temporary" and set(batch.recipients) == set(users)
    line_post(client, [event("unfollow", users[1])])
    batch.refresh_from_db()
    assert users[1] not in batch.recipients and len(batch.recipients) == 2
    run_until_done(notice)
    assert line_api.messages(users[1]) == []
    assert [len(line_api.messages(u)) for u in (users[0], users[2])] == [1, 1]
