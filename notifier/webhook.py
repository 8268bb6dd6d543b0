"""POST /line/webhook/ (contract §2).

The signature is checked on the raw bytes before anything is parsed or stored; a
redelivered event (same webhookEventId) is acknowledged and ignored. The answer to LINE
is given at once: replies (the assistant's above all, which may take seconds) are sent by
a worker (notifier.tasks.reply_on_line), so a slow Rasa or LINE never delays it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3.webhook import SignatureValidator

from cms.core import jsonio

from . import line_conversation as talk
from .models import LineWebhookEvent
from .tasks import queue_line_reply

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # LINE sends a few events per request, each well under 10 KiB


def signature_is_valid(body: bytes, signature: str | None) -> bool:
    secret = settings.LINE_CHANNEL_SECRET
    if not secret or not signature or not signature.isascii():
        return False
    try:
        text = body.decode("utf-8")  # LINE signs the UTF-8 body it sends
    except UnicodeDecodeError:
        return False
    return SignatureValidator(secret).validate(text, signature)


def _text(value: object, max_length: int, required: bool = False) -> bool:
    if value is None:
        return not required
    return isinstance(value, str) and len(value) <= max_length


def event_problem(event: object) -> str | None:
    """Why a (validly signed) event cannot be handled, or None when it has the documented shape.

    LINE documents every field's type; anything else is skipped (and logged) rather than
    allowed to fail half-way through the handler.
    """
    if not isinstance(event, dict):
        return "event is not an object"
    if not _text(event.get("type"), 50, required=True):
        return "type is not a string"
    if not _text(event.get("webhookEventId"), 64) or not _text(event.get("replyToken"), 200):
        return "webhookEventId or replyToken is not a short string"
    source = event.get("source")
    if source is not None:
        if not isinstance(source, dict):
            return "source is not an object"
        if not _text(source.get("type"), 20) or not _text(source.get("userId"), 64):
            return "source.type or source.userId is not a short string"
    if event["type"] == "postback":
        postback = event.get("postback")
        if not isinstance(postback, dict) or not _text(postback.get("data"), 300, True):
            return "postback is not an object with a string data"
    if event["type"] == "message":
        message = event.get("message")
        if not isinstance(message, dict) or not _text(message.get("type"), 20):
            return "message is not an object with a type"
        if message.get("type") == "text" and not _text(message.get("text"), 5000, True):
            return "message.text is not a string"
    return None


@csrf_exempt
@require_POST
def line_webhook(request):
    body = request.body
    if not signature_is_valid(body, request.headers.get("X-Line-Signature")):
        return JsonResponse({"error": "invalid signature"}, status=400)
    try:
        payload = jsonio.decode_object(body, max_bytes=MAX_BODY_BYTES)
    except jsonio.BadInput as exc:
        return JsonResponse({"error": f"body must be a LINE webhook JSON object: {exc}"},
                            status=400)
    events = payload.get("events")
    events = [] if events is None else events
    if not isinstance(events, list):
        return JsonResponse({"error": "events must be a list"}, status=400)
    for event in events:  # empty for the console's verification request: just 200
        problem = event_problem(event)
        if problem:
            log.warning("LINE event skipped: %s", problem)
            continue
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
