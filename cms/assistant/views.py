"""POST /api/chat/ (contract §2): thin HTTP around service.ask()."""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import ratelimit, service


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


# CSRF-exempt on purpose: the API changes nothing tied to a browser session or
# login (it only answers a question), and LINE and other non-browser clients call
# the same contract. Abuse is bounded by the per-sender rate limit instead.
@csrf_exempt
@require_POST
def chat(request):
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error("request body must be JSON: {\"sender\": str, \"message\": str, \"lang\": \"ja\"|\"en\"}")
    if not isinstance(body, dict):
        return _error("request body must be a JSON object")
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        return _error("message is required (a non-empty string)")
    if len(message) > service.MAX_MESSAGE_CHARS:
        return _error(f"message is too long (at most {service.MAX_MESSAGE_CHARS} characters)")
    sender = body.get("sender")
    if sender is None or sender == "":
        # A client without its own id is limited per network address instead.
        sender = "ip:" + request.META.get("REMOTE_ADDR", "")
    if not isinstance(sender, str) or len(sender) > 200:
        return _error("sender must be a string of at most 200 characters")
    lang = body.get("lang", "ja")
    if lang not in service.LANGS:
        return _error('lang must be "ja" or "en"')
    if not ratelimit.allow(service.sender_hash(sender)):
        return _error("too many messages; please wait a minute and try again", status=429)
    try:
        answer = service.ask(sender, message.strip(), lang)
    except service.ChatbotUnavailable as exc:
        return JsonResponse(exc.body, status=503, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
