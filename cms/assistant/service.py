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
import re
import time
from urllib.parse import quote

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

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


def _mask_personal_data(text: str) -> str:
    text = re.sub(r"[\w.+-]+@[\w-]+\.[\w.-]+", "［メール］", text)
    return re.sub(r"\d[\d\-‐ー－ ]{6,}\d", "［番号］", text)


def record_unanswered(message: str, lang: str, reason: str, best_guess: str = "",
                      confidence: float | None = None) -> None:
    try:
        UnansweredQuestion.objects.create(
            question=_mask_personal_data(message)[:MAX_MESSAGE_CHARS], lang=lang, reason=reason,
            best_guess=best_guess or "", confidence=confidence,
        )
    except Exception:  # the report must never break an answer
        logger.exception("could not record an unanswered question")


def _replies_from(messages: list[dict], question: str) -> list[dict]:
    replies = []
    for message in messages:
        custom = message.get("custom") or {}
        text = message.get("text") or custom.get("text") or ""
        if not text:
            continue
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in message.get("buttons") or []
        ]
        url = custom.get("url")
        if custom.get("fallback") and not url:
            url = search_url(question)  # the site-search results for this very question
        replies.append(_reply(text, url, custom.get("faq_id"), buttons))
        if custom.get("fallback"):
            replies.extend(search_result_replies(question))
    return replies


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
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("chat sender=%s rasa unavailable: %s", pseudonym, exc.__class__.__name__)
        record_unanswered(message, lang, UnansweredQuestion.Reason.UNAVAILABLE)
        raise ChatbotUnavailable(unavailable_body(message)) from exc

    intent = (data.get("intent") or {}).get("name") or "unknown"
    confidence = float((data.get("intent") or {}).get("confidence") or 0.0)
    gate = data.get("faq_gate") or {}
    replies = _replies_from(data.get("messages") or [], message)
    if not replies:  # Rasa answered nothing (e.g. the action server is down)
        logger.warning("chat sender=%s rasa gave no reply (action server down?)", pseudonym)
        replies = unavailable_body(message)["replies"]
        intent = "nlu_fallback"
    if intent in FALLBACK_INTENTS:
        reason = (
            UnansweredQuestion.Reason.OUT_OF_SCOPE if intent == "out_of_scope"
            else UnansweredQuestion.Reason.NOT_SURE
        )
        record_unanswered(message, lang, reason, gate.get("key") or "", gate.get("confidence"))
    elif intent == "faq" and gate.get("confidence") is not None:
        confidence = float(gate["confidence"])  # how sure it is of *this* answer
    faq_ids = [r["faq_id"] for r in replies if r["faq_id"]]
    logger.info(
        "chat sender=%s intent=%s confidence=%.2f faq_id=%s ms=%.0f", pseudonym, intent,
        confidence, faq_ids[0] if faq_ids else "-", (time.perf_counter() - started) * 1000,
    )
    return {"replies": replies, "intent": intent, "confidence": round(confidence, 4)}
