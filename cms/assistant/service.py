"""The chat service shared by /api/chat/ and the LINE webhook.

Interface (owned by the assistant; the notifier calls it for LINE text messages):

    ask(sender: str, message: str, lang: str = "ja") -> dict

returns the exact JSON body of a 200 answer of POST /api/chat/ (contract §2):
{"replies": [{"text", "faq_id", "url", "buttons"}], "intent", "confidence"}, and raises
ChatbotUnavailable (carrying the fallback body) when Rasa cannot be reached.

Privacy: the sender id is replaced by a keyed hash before it reaches Rasa or a log
line, and logs never contain the question text. Questions that got the fallback are
kept for editors (UnansweredQuestion) without any sender identity, with phone
numbers and e-mail addresses masked.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from datetime import timedelta
from urllib.parse import quote

import requests
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from requests.adapters import HTTPAdapter

from cms.core import jsonio
from cms.core.links import is_safe_link
from cms.core.privacy import mask_personal_data
from cms.core.taxonomy import ward

from .models import UnansweredQuestion

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 500
LANGS = ("ja", "en")
FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}


class ChatbotUnavailable(Exception):
    def __init__(self, body: dict):
        super().__init__("chatbot unavailable")
        self.body = body


# One pooled session per process: the hub talks to Rasa on 127.0.0.1 for every
# question, and a new TCP connection each time would cost more than the answer.
_session = requests.Session()
_session.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0))


def sender_hash(sender: str) -> str:
    """A stable pseudonym: Rasa keeps the conversation, nobody learns who it was."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, sender.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def search_url(message: str) -> str:
    return "/search/?q=" + quote(message.strip()[:200])


SEARCH_RESULTS_IN_FALLBACK = 3


def search_result_replies(question: str, limit: int = SEARCH_RESULTS_IN_FALLBACK) -> list[dict]:
    """The site search's top pages for the question, one reply each (title + link).

    The same retriever as /search/ and the API, so the widget, LINE and /api/chat/ show
    what the results page would show first. A question search finds nothing for gets no
    extra replies rather than unrelated pages.
    """
    from cms.sitesearch import service as sitesearch

    try:
        outcome = sitesearch.search(question)
        shown = sitesearch.SearchOutcome(outcome.query, outcome.page_ids[:limit])
        pages = sitesearch.ranked_pages(shown)
    except Exception:  # search trouble must never cost the resident the fallback itself
        logger.exception("site search failed for the chat fallback")
        return []
    return [_reply(page.title, page.url) for page in pages if page.url]


def _reply(text: str, url: str | None = None, faq_id: str | None = None, buttons=None) -> dict:
    return {"text": text, "faq_id": faq_id, "url": url, "buttons": list(buttons or [])}


def unavailable_body(message: str) -> dict:
    phone = ward()["main_phone"]
    text = (
        "ただいまチャットでのご案内ができません。サイト内検索で探すか、"
        f"区役所の代表電話 {phone} にお問い合わせください。"
    )
    replies = [_reply(text, search_url(message)), *search_result_replies(message)]
    return {"replies": replies, "intent": "unavailable", "confidence": 0.0}


def english_body(message: str) -> dict:
    """The assistant understands Japanese only: say so, never guess a Japanese answer."""
    phone = ward()["main_phone"]
    text = (
        "Sorry, this assistant only understands Japanese for now. "
        "Please see the English pages of this site, or call Chuo City Office "
        f"at {phone} (weekdays 8:30-17:00)."
    )
    return {
        "replies": [_reply(text, "/en/")],
        "intent": "english_not_supported",
        "confidence": 1.0,
    }


def record_unanswered(message: str, lang: str, reason: str, best_guess: str = "",
                      confidence: float | None = None) -> None:
    """Keep the question for editors: one row per distinct question, bounded in number."""
    try:
        question = mask_personal_data(message)[:MAX_MESSAGE_CHARS]
        now = timezone.now()
        updated = UnansweredQuestion.objects.filter(
            question=question, lang=lang, reason=reason).update(
            times_asked=F("times_asked") + 1, last_asked_at=now,
            best_guess=(best_guess or "")[:100], confidence=confidence)
        if not updated:
            UnansweredQuestion.objects.create(
                question=question, lang=lang, reason=reason, best_guess=(best_guess or "")[:100],
                confidence=confidence, last_asked_at=now)
            _forget_old_questions(now)
    except Exception:  # the report must never break an answer
        logger.exception("could not record an unanswered question")


def _forget_old_questions(now) -> None:
    """Older than UNANSWERED_KEEP_DAYS, or beyond the newest UNANSWERED_MAX_ROWS: deleted."""
    keep_days, max_rows = settings.UNANSWERED_KEEP_DAYS, settings.UNANSWERED_MAX_ROWS
    rows = UnansweredQuestion.objects.all()
    if keep_days > 0:
        rows.filter(asked_at__lt=now - timedelta(days=keep_days)).filter(
            Q(last_asked_at__isnull=True) | Q(last_asked_at__lt=now - timedelta(days=keep_days))
        ).delete()
    if max_rows > 0:
        surplus = list(rows.order_by("-asked_at", "-pk").values_list("pk", flat=True)[
            max_rows:max_rows + 1000])
        if surplus:
            UnansweredQuestion.objects.filter(pk__in=surplus).delete()


class MalformedReply(ValueError):
    """Rasa answered something that is not the hub channel's reply format."""


def _need(condition: bool, what: str) -> None:
    if not condition:
        raise MalformedReply(what)


def _object(value, what: str) -> dict:
    """An optional object: absent or null is empty, anything but an object is malformed."""
    if value is None:
        return {}
    _need(isinstance(value, dict), what)
    return value


def _list(value, what: str) -> list:
    if value is None:
        return []
    _need(isinstance(value, list), what)
    return value


def _number(value, what: str) -> float | None:
    if value is None:
        return None
    _need(isinstance(value, int | float) and not isinstance(value, bool), what)
    _need(math.isfinite(value), what)
    return float(value)


def _string(value, what: str, max_length: int = 2000) -> str | None:
    if value is None:
        return None
    _need(isinstance(value, str) and len(value) <= max_length, what)
    return value


def _replies_from(messages: list, question: str) -> list[dict]:
    replies = []
    for message in messages:
        _need(isinstance(message, dict), "message")
        custom = _object(message.get("custom"), "custom")
        text = _string(message.get("text"), "text") or _string(custom.get("text"), "text") or ""
        if not text:
            continue
        raw_buttons = _list(message.get("buttons"), "buttons")
        buttons = []
        for b in raw_buttons:
            _need(isinstance(b, dict), "button")
            buttons.append({"title": _string(b.get("title"), "title", 200) or "",
                            "payload": _string(b.get("payload"), "payload", 500) or ""})
        url = _string(custom.get("url"), "url")
        if url and not is_safe_link(url):
            logger.warning("chat: dropped a link that is neither https: nor site-relative")
            url = None
        if custom.get("fallback") and not url:
            url = search_url(question)  # the site-search results for this very question
        faq_id = _string(custom.get("faq_id"), "faq_id", 100)
        replies.append(_reply(text, url, faq_id, buttons))
        if custom.get("fallback"):
            replies.extend(search_result_replies(question))
    return replies


def _parse_reply(body: bytes, question: str) -> tuple[str, float, dict, list[dict]]:
    """(intent, confidence, faq_gate, replies) of a hub-channel reply; MalformedReply if not."""
    data = jsonio.decode_object(body, max_bytes=1_000_000, max_depth=32)
    intent = _object(data.get("intent"), "intent")
    name = _string(intent.get("name"), "intent name", 100) or "unknown"
    confidence = _number(intent.get("confidence"), "confidence") or 0.0
    gate = _object(data.get("faq_gate"), "faq_gate")
    gate = {"key": _string(gate.get("key"), "faq_gate key", 100) or "",
            "confidence": _number(gate.get("confidence"), "faq_gate confidence")}
    messages = _list(data.get("messages"), "messages")
    return name, confidence, gate, _replies_from(messages, question)


def ask(sender: str, message: str, lang: str = "ja") -> dict:
    pseudonym = sender_hash(sender)
    if lang == "en":
        record_unanswered(message, lang, UnansweredQuestion.Reason.ENGLISH)
        logger.info("chat sender=%s lang=en intent=english_not_supported", pseudonym)
        return english_body(message)
    started = time.perf_counter()
    try:
        response = _session.post(
            f"{settings.RASA_URL.rstrip('/')}/webhooks/hub/webhook",
            json={"sender": pseudonym, "message": message},
            timeout=(0.5, settings.CHAT_RASA_TIMEOUT),
        )
        response.raise_for_status()
        intent, confidence, gate, replies = _parse_reply(response.content, message)
    except (requests.RequestException, ValueError) as exc:  # MalformedReply, BadInput too
        logger.warning("chat sender=%s rasa unavailable: %s", pseudonym, exc.__class__.__name__)
        record_unanswered(message, lang, UnansweredQuestion.Reason.UNAVAILABLE)
        raise ChatbotUnavailable(unavailable_body(message)) from exc

    if not replies:  # Rasa answered nothing (e.g. the action server is down)
        logger.warning("chat sender=%s rasa gave no reply (action server down?)", pseudonym)
        replies = unavailable_body(message)["replies"]
        intent = "nlu_fallback"
    if intent in FALLBACK_INTENTS:
        reason = (
            UnansweredQuestion.Reason.OUT_OF_SCOPE if intent == "out_of_scope"
            else UnansweredQuestion.Reason.NOT_SURE
        )
        record_unanswered(message, lang, reason, gate["key"], gate["confidence"])
    elif intent == "faq" and gate["confidence"] is not None:
        confidence = gate["confidence"]  # how sure it is of *this* answer
    faq_ids = [r["faq_id"] for r in replies if r["faq_id"]]
    logger.info(
        "chat sender=%s intent=%s confidence=%.2f faq_id=%s ms=%.0f", pseudonym, intent,
        confidence, faq_ids[0] if faq_ids else "-", (time.perf_counter() - started) * 1000,
    )
    return {"replies": replies, "intent": intent, "confidence": round(confidence, 4)}
