"""Rendered-page cache: anonymous visitors get stored HTML, invalidated on every change.

Why a generation number rather than per-URL deletes: one publish can change many
pages (titles in lists, related links, the home page's news), and the emergency
switch must reach the home page within one request. Any change bumps the
generation; old entries simply stop being read and age out.

The store is shared by every worker process (files under var/, or Redis when
REDIS_URL is set), so a save in one process is seen by all.

What is never stored, so never served to someone else: a page with a view restriction
(password, login or groups, on it or an ancestor), and any response to a request that
carries a session (an editor, or a visitor who entered a page's password). A hit is
answered with the headers the full response had (X-Frame-Options, CSP ...), since the
middleware that add them are skipped.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse

from . import furigana

GENERATION_KEY = "generation"
TIMEOUT = 600


def _store():
    name = str(connection.settings_dict.get("NAME", ""))
    # An in-memory test database lives in one process only: so does its cache.
    return caches["default"] if "memory" in name else caches["pages"]


def _prefix() -> str:
    name = str(connection.settings_dict.get("NAME", ""))
    return "page:" + hashlib.sha1(name.encode()).hexdigest()[:10]


def generation() -> str:
    store = _store()
    key = f"{_prefix()}:{GENERATION_KEY}"
    value = store.get(key)
    if value is None:
        value = uuid.uuid4().hex
        store.add(key, value, timeout=None)
        value = store.get(key) or value
    return value


def invalidate(*_args, **_kwargs) -> None:
    """Forget every stored page (called on publish, unpublish, settings and snippet saves)."""
    _store().set(f"{_prefix()}:{GENERATION_KEY}", uuid.uuid4().hex, timeout=None)


# Headers of a response that belong to that one answer, not to the page.
_NOT_REPLAYED = {"set-cookie", "content-length", "date", "x-page-cache"}


def has_session(request) -> bool:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME in request.COOKIES


def is_cacheable(request, page=None) -> bool:
    if request.method not in ("GET", "HEAD") or request.GET or has_session(request):
        return False
    if getattr(request, "is_preview", False):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return page is None or not page.get_view_restrictions().exists()


def cache_key(request) -> str:
    variant = "ruby" if furigana.wanted(request) else "plain"
    path = hashlib.sha1(request.path.encode()).hexdigest()
    return f"{_prefix()}:{generation()}:{variant}:{path}"


def serve_cached(request, render, page=None) -> HttpResponse:
    """Serve `request` from the cache, or through `render()` and store the result.

    The response is stored by PageCacheMiddleware once every middleware has added its
    headers; here it is only marked as fit to store."""
    if not is_cacheable(request, page):
        return furigana.apply(request, _rendered(render()))
    # The middleware already looked this key up and missed: don't read the cache twice.
    key = getattr(request, "_page_cache_missed_key", None)
    if key is None:
        key = cache_key(request)
        stored = _store().get(key)
        if stored is not None:
            return _hit(stored)
    response = furigana.apply(request, _rendered(render()))
    if response.status_code == 200 and not response.cookies:
        response._page_cache_key = key
        response["X-Page-Cache"] = "miss"
    return response


def replayable_headers(response) -> list[tuple[str, str]]:
    """The headers a stored copy of `response` is sent again with."""
    return [(name, value) for name, value in response.items()
            if name.lower() not in _NOT_REPLAYED]


def replay(content: bytes, headers: list[tuple[str, str]]) -> HttpResponse:
    """A stored response, sent again with the headers it had."""
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def store(request, response) -> None:
    """Keep a response serve_cached() marked, with the headers the middleware added."""
    key = getattr(response, "_page_cache_key", None)
    if key is None or response.cookies or has_session(request) or response.status_code != 200:
        return
    _store().set(key, (response.content, replayable_headers(response)), timeout=TIMEOUT)


def _hit(stored: tuple) -> HttpResponse:
    content, headers = stored
    if isinstance(headers, str):  # stored by an older version: the content type only
        headers = [("Content-Type", headers)]
    response = replay(content, headers)
    response["X-Page-Cache"] = "hit"
    return response


def _rendered(response):
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


class PageCacheMiddleware:
    """Answers from the page cache before sessions, routing and the page tree are touched.

    Only serves what serve_cached() stored (Wagtail pages for anonymous visitors); a
    visitor with a session cookie (an editor) always goes through the full stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if (request.method in ("GET", "HEAD") and not request.GET
                and settings.SESSION_COOKIE_NAME not in request.COOKIES
                and not request.path.startswith(("/admin/", "/api/", "/static/"))):
            key = cache_key(request)
            stored = _store().get(key)
            if stored is not None:
                return _hit(stored)
            request._page_cache_missed_key = key
        response = self.get_response(request)
        store(request, response)
        return response
