"""Fitting a notice into a platform's limit: the body is cut (with 「…」), the title and
the link never are. Each platform measures in its own unit (LINE: UTF-16 code units;
Web Push: bytes of the encrypted record), so the caller passes the measure."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
ELLIPSIS = "…"


class DoesNotFit(ValueError):
    """Even with no body, the title and link exceed the platform's limit."""


def utf16_units(text: str) -> int:
    """How LINE counts characters (🍎 is 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(body: str, n: int) -> str:
    head = body[:n].rstrip()
    # don't leave half a character behind: a dangling ZWJ, variation selector or mark
    while head and (unicodedata.category(head[-1]) in ("Mn", "Me", "Cf")
                    or 0xFE00 <= ord(head[-1]) <= 0xFE0F):
        head = head[:-1].rstrip()
    return head + ELLIPSIS


def fit(compose: Callable[[str], T], measure: Callable[[T], int], body: str, limit: int) -> T:
    """compose(body), or compose(the longest cut body) whose measure is ≤ limit.
    Binary search: at most log2(len(body)) + 2 compositions, so it always ends."""
    whole = compose(body)
    if measure(whole) <= limit:
        return whole
    lo, hi = 0, len(body) - 1  # prefix lengths to try; lo = 0 gives just 「…」
    best = compose(_cut(body, 0))
    if measure(best) > limit:
        raise DoesNotFit(f"the title and link alone exceed the limit ({measure(best)} > {limit})")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        candidate = compose(_cut(body, mid))
        if measure(candidate) <= limit:
            lo, best = mid, candidate
        else:
            hi = mid - 1
    return best
