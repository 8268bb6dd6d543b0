"""Whole answers to repeated anonymous searches, kept per worker.

On a disaster day thousands of residents type the same few words (避難所, 給水); the
same results page rendered again each time is the cost that caps how many a worker
serves. A worker keeps the rendered /search/ and API search responses it sent to
anonymous visitors and sends them again while nothing they depend on has changed:

- the page-cache generation (cms/core/page_cache.py: any publish, unpublish, move,
  privacy setting, emergency switch or snippet change gives a new one), and
- the search index version (SearchIndexVersion: any page indexed or dropped, any
  synonym or best bet changed).

Only what the page cache would store is kept: GET without a session cookie or
credentials, status 200, no cookie set. The key is the whole request as far as the
response can depend on it (host, full path with the query, the furigana and language
cookies, Accept-Language and Accept). A hit of a query that found nothing still counts for the
editors' zero-result report. Kept in this process (not the shared page cache), bounded
by bytes, so a flood of random queries cannot push real pages out of the page cache.
"""

from __future__ import annotations

import time

from django.conf import settings

from cms.core import furigana, page_cache
from cms.core.bounded_cache import BoundedCache

from .models import SearchIndexVersion
from .query_input import record_zero_result

MAX_BYTES = 16 * 1024 * 1024  # per worker
# As long as the page cache keeps a page: what changes with time alone (the emergency
# layout ends hours after the last quake) shows within that time, as on every page.
MAX_AGE = page_cache.TIMEOUT


def _is_search(request) -> bool:
    if request.path == "/search/":
        return bool(request.GET.get("q"))
    return request.path == "/api/v2/pages/" and "search" in request.GET


def _key(request) -> tuple | None:
    if request.method != "GET" or page_cache.has_session(request):
        return None
    if "HTTP_AUTHORIZATION" in request.META or not _is_search(request):
        return None
    cookies = {name: request.COOKIES.get(name) for name in
               (settings.LANGUAGE_COOKIE_NAME, furigana.COOKIE)}
    # Every request header the responses vary on (Vary: Accept, Accept-Language, Cookie):
    # the API answers a browser's Accept: text/html with its HTML view, a script with JSON.
    return (page_cache.generation(), SearchIndexVersion.current(), request.get_host(),
            request.get_full_path(), tuple(sorted(cookies.items(), key=lambda kv: kv[0])),
            request.META.get("HTTP_ACCEPT_LANGUAGE", ""), request.META.get("HTTP_ACCEPT", ""))


# Request headers the key holds (Cookie: the cookies a search response reads).
_IN_KEY = {"accept", "accept-language", "cookie"}


def _varies_only_by_key(response) -> bool:
    """A response that varies on a header the key lacks is never kept."""
    varies = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return varies <= _IN_KEY


# key → (content, headers, zero-result query or "", monotonic time kept); the key's path
# counts against the bound too, so a flood of long random URLs is bounded like content.
_kept = BoundedCache(MAX_BYTES)


def forget_all() -> None:
    """Drop every kept response of this worker (tests: see tests/conftest.py)."""
    _kept.clear()


class SearchResponseMiddleware:
    """Sends a kept answer again, or keeps the one the view renders (see module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request)
        if key is None:
            return self.get_response(request)
        kept = _kept.get(key)
        if kept is not None and time.monotonic() - kept[3] > MAX_AGE:
            _kept.drop(key)
            kept = None
        if kept is not None:
            content, headers, zero_result, _kept_at = kept
            if zero_result:
                record_zero_result(zero_result)
            response = page_cache.replay(content, headers)
            response["X-Search-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (response.status_code == 200 and not response.cookies
                and not getattr(response, "streaming", False) and _varies_only_by_key(response)):
            content = response.content
            if len(content) <= MAX_BYTES // 16:  # one answer never fills the store
                _kept.put(key, (content, page_cache.replayable_headers(response),
                                getattr(request, "search_zero_result", ""), time.monotonic()),
                          len(content) + len(key[3]))
        return response
