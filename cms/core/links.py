"""Full addresses for places where a site-relative link is useless (LINE, push, feeds, OGP)."""

from django.conf import settings


def absolute_url(url: str | None) -> str:
    base = settings.HUB_BASE_URL.rstrip("/")
    if not url:
        return base + "/"
    if url.startswith("/"):
        return base + url
    return url


def is_safe_link(url: str) -> bool:
    """An https: address or a link within this site ("/gomi/"), nothing else.

    Shown to residents as a link (the emergency banner, chat answers): `javascript:`,
    `data:`, protocol-relative `//host` and backslash tricks (`/\\host`, which browsers
    read as `//host`) are refused, as are control characters and spaces.
    """
    from urllib.parse import urlsplit

    if not isinstance(url, str) or not url or len(url) > 2000:
        return False
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" or ch == "\\" for ch in url):
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname) and "@" not in parts.netloc
