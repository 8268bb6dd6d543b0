"""Valid requests as the real clients send them, for the fuzz suite to make hostile.

LINE events follow the examples of LINE's Messaging API reference (webhook event
objects); the push subscription is what PushManager.subscribe() returns, with a fixed
P-256 key so every run draws the same inputs."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

SECRET = "test-line-secret"

CHAT = {"sender": "resident-1", "message": "粗大ごみの出し方を教えて", "lang": "ja"}
RASA_REPLY = {
    "intent": {"name": "faq", "confidence": 0.98},
    "faq_gate": {"key": "sodai-gomi", "confidence": 0.9},
    "messages": [{"text": "粗大ごみは申込みが必要です。",
                  "custom": {"faq_id": "sodai-gomi", "url": "/gomi/sodai-gomi/"},
                  "buttons": [{"title": "申し込む", "payload": "/faq"}]}],
}
_key = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())
P256DH = base64.urlsafe_b64encode(_key.public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)).rstrip(b"=").decode()
AUTH = base64.urlsafe_b64encode(b"0123456789abcdef").rstrip(b"=").decode()
PUSH = {
    "subscription": {"endpoint": "https://fcm.googleapis.com/fcm/send/fuzz-1",
                     "keys": {"p256dh": P256DH, "auth": AUTH}},
    "topics": ["gomi", "bosai"], "areas": ["tsukishima"], "lang": "ja",
    "quiet_hours": {"start": "22:00", "end": "07:00"},
}


USER = "U" + "4af4980629" * 3 + "ab"
_SOURCE = {"type": "user", "userId": USER}
LINE_EVENTS = [
    {"type": "follow", "mode": "active", "timestamp": 1462629479859, "source": _SOURCE,
     "replyToken": "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA", "webhookEventId": "01FZ74A0TDDPYRVKNK77XKC3ZR",
     "deliveryContext": {"isRedelivery": False}},
    {"type": "message", "mode": "active", "timestamp": 1462629479859, "source": _SOURCE,
     "replyToken": "b60d432864f44d079f6d8efe86cf404b", "webhookEventId": "01FZ74ASS536FW97EX38NKCZQK",
     "message": {"id": "325708", "type": "text", "text": "ごみの日"},
     "deliveryContext": {"isRedelivery": False}},
    {"type": "postback", "mode": "active", "timestamp": 1462629479859, "source": _SOURCE,
     "replyToken": "b60d432864f44d079f6d8efe86cf404b", "webhookEventId": "01FZ74ATJ5W9CB1V8XTQE9G7QK",
     "postback": {"data": "topic:gomi"}, "deliveryContext": {"isRedelivery": False}},
    {"type": "unfollow", "mode": "active", "timestamp": 1462629479859, "source": _SOURCE,
     "webhookEventId": "01FZ74B6QHVYFWWG2T1KE4W8C2", "deliveryContext": {"isRedelivery": False}},
]
LINE_BODIES = [{"destination": "U" + "0" * 32, "events": [event]} for event in LINE_EVENTS]


def line_signature(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
