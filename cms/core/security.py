"""Security headers on every response, page-cache hits included, and the secret-key rule.

Why our own middleware rather than django-csp: the site needs one fixed policy with the
hash of its one inline script (base.html's display-choices snippet, which must run
before the first paint) plus a looser one for Wagtail's admin (its widgets write inline
scripts); that is a dozen lines here, against a new dependency with its own settings
and nonce machinery we would not use. Django 5.2 has no CSP of its own (6.0 will).

The middleware is the outermost one, so it also wraps answers of the page cache
(cms.core.page_cache), which returns before the clickjacking middleware runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Executable inline scripts are written as a bare <script> tag; JSON-LD and other data
# blocks (<script type="application/ld+json">) are not run by the browser, so CSP
# does not apply to them.
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

COMMON = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    # Wagtail's preview shows pages in a same-origin frame; nobody else may frame us.
    "frame-ancestors": "'self'",
}
# Wagtail's admin writes inline scripts and styles (date choosers, inline panels).
ADMIN = {**COMMON, "script-src": "'self' 'unsafe-inline'",
         "style-src": "'self' 'unsafe-inline'", "img-src": "'self' data: blob:"}
ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def script_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@lru_cache(maxsize=1)
def inline_script_hashes() -> tuple[str, ...]:
    """Hashes of the inline scripts in CSP_INLINE_SCRIPT_TEMPLATES, read once per process.

    The scripts hold no template tags, so the source is exactly what the browser gets;
    tests/site/test_security_headers.py checks that against rendered pages.
    """
    from django.template.loader import get_template

    hashes: list[str] = []
    for name in getattr(settings, "CSP_INLINE_SCRIPT_TEMPLATES", ()):
        source = get_template(name).template.source
        hashes += [script_hash(body) for body in INLINE_SCRIPT.findall(source)]
    return tuple(dict.fromkeys(hashes))


@lru_cache(maxsize=2)
def policy(admin: bool) -> str:
    directives = ADMIN if admin else {**COMMON,
                                      "script-src": " ".join(["'self'", *inline_script_hashes()])}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.DEBUG:  # Django's debug pages are inline scripts and styles
            response.headers.setdefault(
                "Content-Security-Policy", policy(request.path.startswith(ADMIN_PREFIXES)))
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


PLACEHOLDER_MARKERS = ("change-me", "changeme", "replace-me", "django-insecure-", "placeholder")
MIN_SECRET_KEY_LENGTH = 50


def require_strong_secret_key(key: str) -> None:
    """Refuse a short or placeholder key: it signs sessions and pseudonymises chat senders."""
    how = ("Set DJANGO_SECRET_KEY to at least 50 random characters, e.g. the output of "
           "python3 -c 'import secrets; print(secrets.token_urlsafe(50))', or leave it unset "
           "to use the key generated once into HUB_VAR_DIR/secret_key.")
    lowered = key.lower()
    if any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is a placeholder (as in docker/env.example), not a secret. " + how)
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 10:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is too short or too repetitive ({len(key)} characters, "
            f"{len(set(key))} different). " + how)
