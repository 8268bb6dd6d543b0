"""Polling JMA's Atom feeds (regular and long-term alike) and fetching new telegrams.

- Conditional GET with the feed's ETag / Last-Modified, kept in the database so a
  restarted watcher does not re-download everything.
- Every entry becomes a Telegram row at once (the editors' log). Entries of types the hub
  does not handle are logged "not handled" without fetching.
- A telegram that cannot be fetched or read (network error, an HTML error page with a
  200, broken XML) is retried with backoff; after MAX_ATTEMPTS it is shown as failed.
  It is never marked read while unread, and never fetched forever.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import feedparser
import requests
from django.conf import settings

from cms.core import clock

from . import emergency, lifecycle, readers
from .models import FeedState, Telegram, TelegramState
from .readers.xml import UnreadableTelegram

log = logging.getLogger(__name__)
TIMEOUT = (3.05, 10)
MAX_ATTEMPTS = 5
_http = requests.Session()


def retry_delay(attempts: int) -> timedelta:
    base = float(getattr(settings, "JMA_RETRY_BASE_SECONDS", 10.0))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 1800.0))


def poll_feed(url: str) -> int:
    """One conditional GET of one feed; returns the number of new entries."""
    state, _ = FeedState.objects.get_or_create(url=url)
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    response = _http.get(url, headers=headers, timeout=TIMEOUT)
    state.polled_at = clock.now()
    if response.status_code == 304:
        state.save(update_fields=["polled_at"])
        return 0
    response.raise_for_status()
    feed = feedparser.parse(response.content)
    if feed.get("bozo") and not feed.entries:
        log.warning("JMA feed %s unreadable: %s", url, feed.get("bozo_exception"))
        return 0
    new = 0
    # oldest first, so that a warning and its lifting are applied in order
    for entry in sorted(feed.entries, key=lambda e: e.get("updated", "")):
        entry_id = entry.get("id") or entry.get("link")
        if not entry_id or Telegram.objects.filter(entry_id=entry_id[:300]).exists():
            continue
        title = entry.get("title", "")
        link = next((ln["href"] for ln in entry.get("links", [])
                     if ln.get("type") == "application/xml"), entry.get("link", ""))
        handled = title in readers.REGISTRY
        Telegram.objects.create(
            entry_id=entry_id[:300], feed_url=url[:500], link=link[:500], feed_title=title[:200],
            received_at=clock.now(), title=title[:200] if not handled else "",
            state=TelegramState.PENDING if handled else TelegramState.NOT_HANDLED,
            action="" if handled else "この種類の電文は扱っていません（not handled）",
        )
        new += 1
    # only after every entry is recorded: a crash before this re-reads the feed
    state.etag = response.headers.get("ETag", "")[:300]
    state.last_modified = response.headers.get("Last-Modified", "")[:100]
    state.save()
    return new


def fetch_due() -> list[Telegram]:
    """Fetch and process every telegram waiting (new, or due for a retry)."""
    now = clock.now()
    done = []
    due = Telegram.objects.filter(state=TelegramState.PENDING).order_by("received_at", "pk")
    for telegram in due:
        if telegram.next_attempt_at and telegram.next_attempt_at > now:
            continue
        telegram.attempts += 1
        try:
            response = _http.get(telegram.link, timeout=TIMEOUT)
            response.raise_for_status()
            kind = response.headers.get("Content-Type", "")
            if "html" in kind.lower():
                raise UnreadableTelegram(f"HTMLが返されました（{kind}）")
            lifecycle.process(telegram, response.content)
            done.append(telegram)
        except Exception as exc:  # unreadable, unreachable, or our own failure: retry
            if not isinstance(exc, (requests.RequestException, UnreadableTelegram)):
                log.exception("JMA telegram %s: processing failed", telegram.link)
                telegram.refresh_from_db(fields=["state"])
                if telegram.state != TelegramState.PENDING:
                    continue
            telegram.last_error = str(exc)[:2000]
            if telegram.attempts >= MAX_ATTEMPTS:
                telegram.state = TelegramState.FAILED
                telegram.action = f"{telegram.attempts}回試しても読めませんでした（職員が確認してください）"
                log.error("JMA telegram %s failed after %s tries: %s", telegram.link,
                          telegram.attempts, exc)
            else:
                telegram.next_attempt_at = clock.now() + retry_delay(telegram.attempts)
                telegram.action = f"再試行します（{telegram.attempts}/{MAX_ATTEMPTS}回目）"
                log.warning("JMA telegram %s not read (will retry): %s", telegram.link, exc)
            telegram.save()
    return done


def poll_all() -> list[Telegram]:
    """One pass: every feed once, then every telegram due; the emergency layout is
    re-derived (strong shaking expires without a telegram)."""
    for url in settings.JMA_FEED_URLS:
        try:
            poll_feed(url)
        except requests.RequestException as exc:  # offline or JMA busy: try next time
            log.warning("JMA feed %s not reachable: %s", url, exc)
        except Exception:  # one broken feed must not stop the others or the loop
            log.exception("JMA feed %s failed", url)
    done = fetch_due()
    emergency.apply()
    return done
