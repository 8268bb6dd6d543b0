"""Per-sender rate limit for the chat API: a fixed window counter in the cache."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def allow(sender_key: str) -> bool:
    """True while `sender_key` has sent fewer than CHAT_RATE_LIMIT messages this window."""
    limit, window = settings.CHAT_RATE_LIMIT, settings.CHAT_RATE_WINDOW
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
