"""Rate limits for the chat API: fixed window counters in the cache, per sender and per
client address (a client that rotates its `sender` is still one address)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def allow(sender_key: str, limit: int | None = None) -> bool:
    """True while `sender_key` has sent fewer than `limit` (CHAT_RATE_LIMIT) messages this window."""
    limit = settings.CHAT_RATE_LIMIT if limit is None else limit
    window = settings.CHAT_RATE_WINDOW
    if limit <= 0:
        return True
    key = f"chat-rate:{sender_key}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return True
    return count <= limit


def allow_request(sender_key: str, address: str) -> bool:
    """Both limits: the sender's own, and its network address's (CHAT_IP_RATE_LIMIT)."""
    if settings.CHAT_RATE_LIMIT <= 0:  # limits switched off altogether
        return True
    address_ok = allow("addr:" + address, settings.CHAT_IP_RATE_LIMIT)
    return allow(sender_key) and address_ok
