"""Full addresses for places where a site-relative link is useless (LINE, push, feeds, OGP)."""

from django.conf import settings


def absolute_url(url: str | None) -> str:
    base = settings.HUB_BASE_URL.rstrip("/")
    if not url:
        return base + "/"
    if url.startswith("/"):
        return base + url
    return url
