"""The LINE webhook answers at once whatever Rasa or LINE do: the real hub (gunicorn) and a
real `db_worker`, an assistant that takes 3 s and a LINE that takes 2 s to take a reply.
LINE expects its webhook answered within 2 s; the hub answers in ≤ 1 s, and the friend
still gets the assistant's reply."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests

from tests.support.hub import HubProcess, stop_processes

from .fanout_env import FanoutEnv
from .servers import LineApi, PushService, Rasa, line_user_id

pytestmark = pytest.mark.slow
SECRET = "latency-secret"


def signed(events: list[dict]) -> tuple[bytes, dict]:
    body = json.dumps({"destination": "Uxxxxxxxx", "events": events}, ensure_ascii=False).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return body, {"X-Line-Signature": signature, "Content-Type": "application/json"}


def message_event(user: str, text: str) -> dict:
    return {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
            "webhookEventId": uuid.uuid4().hex.upper()[:26], "replyToken": uuid.uuid4().hex,
            "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": user},
            "message": {"type": "text", "id": "1", "text": text}}


def test_webhook_answers_within_a_second_when_rasa_takes_three(tmp_path):
    with Rasa(delay=3.0, text="粗大ごみは電話かインターネットで予約してください。") as rasa, \
            LineApi() as line, PushService() as push:
        line.reply_delay = 2.0
        hub = HubProcess(tmp_path, load_content=False, workers=1, env={
            "HUB_TASKS_BACKEND": "db", "RASA_URL": rasa.origin, "LINE_API_BASE": line.origin,
            "LINE_CHANNEL_ACCESS_TOKEN": line.access_token, "LINE_CHANNEL_SECRET": SECRET,
            "CHAT_RASA_TIMEOUT": "10", "LOG_LEVEL": "WARNING"})
        worker_env = FanoutEnv(tmp_path, push, line)
        worker_env.hub = hub
        try:
            hub.start()
            worker_env.start_worker()
            user = line_user_id(77)
            event = message_event(user, "粗大ごみの出し方は？")
            body, headers = signed([event])
            started = time.monotonic()
            response = requests.post(f"{hub.url}/line/webhook/", data=body, headers=headers, timeout=10)
            took = time.monotonic() - started
            assert response.status_code == 200
            assert took <= 1.0, f"webhook took {took:.2f} s"

            deadline = time.monotonic() + 60
            while not line.replies and time.monotonic() < deadline:
                time.sleep(0.2)
            [reply] = line.replies
            assert reply["replyToken"] == event["replyToken"]
            assert "予約してください" in reply["messages"][0]["text"]
            assert len(rasa.questions) == 1
            print(f"webhook answered in {took:.3f} s; reply sent {time.monotonic() - started:.1f} s "
                  "after the message")
        finally:
            stop_processes(worker_env.workers)
            hub.stop()
