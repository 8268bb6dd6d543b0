"""LINE Messaging API through line-bot-sdk 3 (host = settings.LINE_API_BASE).

Multicast goes out in batches of ≤ 500 user ids with an X-Line-Retry-Key that was stored
with the batch before the first attempt; LINE answers a repeated key with 409, which
means it already accepted that exact request: success, not a second message.
"""

from __future__ import annotations

import threading

import urllib3
from django.conf import settings
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MulticastRequest,
    ReplyMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from .outcome import Outcome, parse_retry_after

MULTICAST_LIMIT = 500
TIMEOUT = (3.05, 15)  # connect, read; read overridable by LINE_READ_TIMEOUT

_local = threading.local()


def enabled() -> bool:
    return bool(settings.LINE_CHANNEL_ACCESS_TOKEN)


def api() -> MessagingApi:
    key = (settings.LINE_API_BASE, settings.LINE_CHANNEL_ACCESS_TOKEN)
    if getattr(_local, "key", None) != key:
        configuration = Configuration(host=settings.LINE_API_BASE,
                                      access_token=settings.LINE_CHANNEL_ACCESS_TOKEN)
        configuration.retries = False  # retries belong to the delivery state machine
        _local.api = MessagingApi(ApiClient(configuration))
        _local.key = key
    return _local.api


def multicast(user_ids: list[str], messages: list, retry_key: str) -> Outcome:
    if not enabled():
        return Outcome.permanent("LINE is not configured (LINE_CHANNEL_ACCESS_TOKEN)")
    try:
        api().multicast_with_http_info(
            MulticastRequest(to=user_ids, messages=messages),
            x_line_retry_key=retry_key,
            _request_timeout=(TIMEOUT[0], float(getattr(settings, "LINE_READ_TIMEOUT", TIMEOUT[1]))),
        )
        return Outcome.sent()
    except ApiException as exc:
        status = exc.status or 0
        headers = exc.headers or {}
        if status == 409:  # this retry key was already accepted
            return Outcome.sent()
        detail = f"HTTP {status}: {(exc.body or b'')[:200]!r}"
        if status == 429 or status >= 500:
            return Outcome.temporary(detail, parse_retry_after(headers.get("Retry-After")))
        return Outcome.permanent(detail)
    except urllib3.exceptions.HTTPError as exc:  # timeouts, refused connections
        return Outcome.temporary(f"{exc.__class__.__name__}: {exc}")


def reply(reply_token: str, messages: list) -> None:
    if not enabled():
        return
    api().reply_message_with_http_info(
        ReplyMessageRequest(reply_token=reply_token, messages=messages[:5]),
        _request_timeout=TIMEOUT,
    )
