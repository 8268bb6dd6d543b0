"""POST /api/chat/ (contract §2): thin HTTP around service.ask()."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cms.core import jsonio
from cms.core.client_ip import client_ip

from . import ratelimit, service

MAX_SENDER_CHARS = 200
MAX_BODY_BYTES = 16 * 1024  # a 500-character question is < 2 KiB even \\u-escaped


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _question(request) -> tuple[str, str, str]:
    """(sender, message, lang) from the body, or BadInput saying what is wrong."""
    try:
        body = jsonio.decode_object(request.body, max_bytes=MAX_BODY_BYTES)
    except jsonio.BadInput as exc:
        raise jsonio.BadInput(
            f'{exc}: send {{"sender": str, "message": str, "lang": "ja"|"en"}}') from exc
    message = jsonio.text_field(body, "message", max_length=service.MAX_MESSAGE_CHARS)
    if not message.strip():
        raise jsonio.BadInput("message is required (a non-empty string)")
    sender = jsonio.text_field(body, "sender", max_length=MAX_SENDER_CHARS, required=False)
    lang = jsonio.choice_field(body, "lang", service.LANGS, "ja")
    return sender or "", message.strip(), lang


# CSRF-exempt on purpose: the API changes nothing tied to a browser session or
# login (it only answers a question), and LINE and other non-browser clients call
# the same contract. Abuse is bounded by the rate limits instead.
@csrf_exempt
@require_POST
def chat(request):
    try:
        sender, message, lang = _question(request)
    except jsonio.BadInput as exc:
        return _error(str(exc))
    address = client_ip(request)
    # A client without its own id is one conversation per network address.
    sender = sender or "ip:" + address
    if not ratelimit.allow_request(service.sender_hash(sender), service.sender_hash(address)):
        return _error("too many messages; please wait a minute and try again", status=429)
    try:
        answer = service.ask(sender, message, lang)
    except service.ChatbotUnavailable as exc:
        return JsonResponse(exc.body, status=503, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
