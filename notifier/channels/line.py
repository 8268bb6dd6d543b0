"""LINE Messaging API through line-bot-sdk 3 (host = settings.LINE_API_BASE).

Multicast goes out in batches of ≤ 500 user ids with an X-Line-Retry-Key that was stored
with the batch before the first attempt; LINE answers a repeated key with 409, which
means it already accepted that exact request: success, not a second message.

Limits as LINE documents them (Messaging API reference, "Message objects" and
"Character counting in a text"): a text message is ≤ 5,000 characters counted in UTF-16
code units (🍎 is 2); ≤ 5 messages per request; a quick reply has ≤ 13 items; action
labels ≤ 20 and postback data / displayText / message text ≤ 300, counted in grapheme
clusters (cutting by code points therefore never exceeds them).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import urllib3
from django.conf import settings
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MulticastRequest,
    PushMessageRequest,
    QuickReply,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException

from cms.core.links import absolute_url

from .base import ChannelClient, InvalidAddress, Recipient, notice_text
from .outcome import Outcome, from_http_status
from .text import DoesNotFit, fit, utf16_units

MULTICAST_LIMIT = 500
TEXT_LIMIT = 5000  # UTF-16 code units
MAX_MESSAGES = 5
QUICK_REPLY_ITEMS = 13
LABEL_LIMIT = 20
ACTION_TEXT_LIMIT = 300
USER_ID = re.compile(r"U[0-9a-f]{32}")
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


def _timeout() -> tuple[float, float]:
    return TIMEOUT[0], float(getattr(settings, "LINE_READ_TIMEOUT", TIMEOUT[1]))


# --- messages within LINE's limits -----------------------------------------------------

def fit_text(text: str, link: str = "", prefix: str = "") -> str:
    """prefix + text + link in ≤ 5,000 UTF-16 units: the text is cut, the link never."""
    tail = f"\n{link}" if link else ""
    return fit(lambda t: f"{prefix}{t}{tail}", utf16_units, text, TEXT_LIMIT)


def text_message(text: str, link: str = "", quick_reply: QuickReply | None = None) -> TextMessage:
    if quick_reply is not None:
        quick_reply = QuickReply(items=quick_reply.items[:QUICK_REPLY_ITEMS])
    return TextMessage(text=fit_text(text, link) or "…", quick_reply=quick_reply)


def notice_messages(notice: Any, lang: str = "ja") -> list[TextMessage]:
    title, body = notice_text(notice, lang)
    urgent = notice.severity == "urgent"
    prefix = ("[URGENT] " if lang == "en" else "【緊急】") if urgent else ""
    link = absolute_url(notice.url)
    text = fit(lambda b: f"{prefix}{title}\n\n{b}\n\n{link}", utf16_units, body, TEXT_LIMIT)
    return [TextMessage(text=text)]


# --- requests ------------------------------------------------------------------------

def _outcome(exc: ApiException) -> Outcome:
    status = exc.status or 0
    headers = exc.headers or {}
    if status == 409:  # this retry key was already accepted
        return Outcome.sent()
    return from_http_status(status, repr((exc.body or b"")[:200]), headers.get("Retry-After"))


def _request(call) -> Outcome:
    """One call to the Messaging API, in the terms of the delivery state machine."""
    if not enabled():
        return Outcome.permanent("LINE is not configured (LINE_CHANNEL_ACCESS_TOKEN)")
    try:
        call()
        return Outcome.sent()
    except ApiException as exc:
        return _outcome(exc)
    except urllib3.exceptions.HTTPError as exc:  # timeouts, refused and reset connections
        return Outcome.temporary(f"{exc.__class__.__name__}: {exc}")


def multicast(user_ids: list[str], messages: list, retry_key: str) -> Outcome:
    return _request(lambda: api().multicast_with_http_info(
        MulticastRequest(to=user_ids, messages=messages[:MAX_MESSAGES]),
        x_line_retry_key=retry_key, _request_timeout=_timeout()))


def push_message(user_id: str, messages: list, retry_key: str) -> Outcome:
    """To one friend, e.g. a conversation reply whose reply token has expired."""
    return _request(lambda: api().push_message_with_http_info(
        PushMessageRequest(to=user_id, messages=messages[:MAX_MESSAGES]),
        x_line_retry_key=retry_key, _request_timeout=_timeout()))


def reply(reply_token: str, messages: list) -> Outcome:
    """A reply token works once, for a short time; a 400 means it no longer does."""
    return _request(lambda: api().reply_message_with_http_info(
        ReplyMessageRequest(reply_token=reply_token, messages=messages[:MAX_MESSAGES]),
        _request_timeout=_timeout()))


# --- the channel ----------------------------------------------------------------------

class LineChannel(ChannelClient):
    name = "line"
    label = "LINE"
    address_fields = ("line_user_id",)
    batch_size = MULTICAST_LIMIT

    def enabled(self) -> bool:
        return enabled()

    def validate_address(self, address: dict[str, Any]) -> None:
        user_id = address.get("line_user_id")
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
            raise InvalidAddress("a LINE user id is U followed by 32 hex digits")

    def render(self, notice: Any, lang: str) -> list[TextMessage]:
        return notice_messages(notice, lang)

    def send(self, notice: Any, recipients: list[Recipient],
             retry_key: str | None = None) -> dict[int, Outcome]:
        """One multicast for the batch; a recipient LINE would refuse is left out (and
        fails alone) so that it cannot make LINE refuse the others."""
        outcomes: dict[int, Outcome] = {}
        to: list[Recipient] = []
        for r in recipients:
            if r.subscriber_id is None:
                outcomes[r.delivery_id] = Outcome.permanent("the resident unfollowed before sending")
                continue
            try:
                self.validate_address(r.address)
            except InvalidAddress as exc:
                outcomes[r.delivery_id] = Outcome.permanent(f"invalid address: {exc}")
                continue
            to.append(r)
        if not to:
            return outcomes
        try:
            messages = self.render(notice, to[0].lang)
        except DoesNotFit as exc:
            outcome = Outcome.permanent(f"notice does not fit: {exc}")
        else:
            outcome = multicast([r.address["line_user_id"] for r in to], messages,
                                retry_key or "")
        outcomes.update({r.delivery_id: outcome for r in to})
        return outcomes
