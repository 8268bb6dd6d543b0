"""POST /line/webhook/ (contract §2).

The signature is checked on the raw bytes before anything is parsed or stored; a
redelivered event (same webhookEventId) is acknowledged and ignored. The answer to LINE
is given at once: replies (the assistant's above all, which may take seconds) are sent by
a worker (notifier.tasks.reply_on_line), so a slow Rasa or LINE never delays it.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3.webhook import SignatureValidator

from . import line_conversation as talk
from .models import LineWebhookEvent
from .tasks import queue_line_reply

log = logging.getLogger(__name__)


def signature_is_valid(body: bytes, signature: str | None) -> bool:
    secret = settings.LINE_CHANNEL_SECRET
    if not secret or not signature or not signature.isascii():
        return False
    try:
        text = body.decode("utf-8")  # LINE signs the UTF-8 body it sends
    except UnicodeDecodeError:
        return False
    return SignatureValidator(secret).validate(text, signature)


@csrf_exempt
@require_POST
def line_webhook(request):
    body = request.body
    if not signature_is_valid(body, request.headers.get("X-Line-Signature")):
        return JsonResponse({"error": "invalid signature"}, status=400)
    try:
        payload = json.loads(body)
        events = payload.get("events") or []
    except (ValueError, AttributeError):
        return JsonResponse({"error": "body must be a LINE webhook JSON object"}, status=400)
    for event in events:  # empty for the console's verification request: just 200
        if isinstance(event, dict):
            handle_event(event)
    return HttpResponse(status=200)


def handle_event(event: dict) -> None:
    event_id = event.get("webhookEventId")
    source = event.get("source") or {}
    user_id = source.get("userId")
    replies = None
    try:
        with transaction.atomic():
            if event_id:
                LineWebhookEvent.objects.create(webhook_event_id=event_id)
            if not user_id or source.get("type", "user") != "user":
                return  # group chats and anonymous events carry nobody to subscribe
            kind = event.get("type")
            if kind == "follow":
                replies = talk.welcome(talk.follow(user_id))
            elif kind == "unfollow":
                talk.unfollow(user_id)  # blocking the account deletes their data
            elif kind == "postback":
                data = (event.get("postback") or {}).get("data", "")
                replies = talk.settings_command(talk.subscriber_for(user_id), data)
            elif kind == "message" and (event.get("message") or {}).get("type") == "text":
                text = event["message"].get("text", "")
                replies = talk.settings_command(talk.subscriber_for(user_id), text)
                if replies is None:
                    replies = "assistant"
    except IntegrityError:
        log.info("LINE redelivered event %s: already handled", event_id)
        return
    reply_token = event.get("replyToken") if isinstance(event.get("replyToken"), str) else None
    if replies == "assistant":
        queue_line_reply(user_id, reply_token, question=event["message"].get("text", ""))
    elif replies:
        queue_line_reply(user_id, reply_token, messages=replies)
