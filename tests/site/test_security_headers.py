"""Every page carries the Content-Security-Policy and the frame and sniffing headers,
page-cache hits included, and the policy allows exactly the inline scripts the pages run."""

from __future__ import annotations

import re

import pytest

from cms.core.security import script_hash

pytestmark = pytest.mark.django_db

PAGES = ["/", "/gomi/", "/en/", "/search/?q=粗大ごみ", "/notifications/", "/news/", "/opendata/"]
# Script elements the browser runs: no src and no type, or a JavaScript type.
EXECUTABLE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"(?!text/javascript|module)[^\"]*\")[^>]*>(.*?)</script>",
    re.DOTALL)


def script_src(csp: str) -> list[str]:
    directive = next(d for d in csp.split(";") if d.strip().startswith("script-src "))
    return directive.split()[1:]


@pytest.mark.parametrize("path", PAGES)
def test_the_policy_allows_each_inline_script_by_its_hash_and_nothing_else(client, path):
    response = client.get(path)
    assert response.status_code == 200
    allowed = script_src(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed
    scripts = EXECUTABLE.findall(response.content.decode())
    for body in scripts:
        assert script_hash(body) in allowed, f"an inline script on {path} is not in the CSP"
    if path == "/":
        assert scripts, "base.html's display-choices script is gone: drop its hash handling"


def test_page_cache_hits_carry_the_same_security_headers(client):
    first = client.get("/gomi/")
    again = client.get("/gomi/")
    assert again["X-Page-Cache"] == "hit"
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                   "Referrer-Policy"):
        assert again[header] == first[header], header
    assert again["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in again["Content-Security-Policy"]


@pytest.mark.browser
def test_chromium_runs_the_pages_under_the_policy_without_a_violation(hub, page):
    """The saved text size is applied by base.html's inline script before the first paint;
    the chat widget and the subscribe page load their scripts; nothing is refused."""
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(f"{hub.url}/gomi/")
    page.evaluate("localStorage.setItem('textSize', '150')")
    page.reload()
    assert page.evaluate("document.documentElement.getAttribute('data-text-size')") == "150"
    page.goto(f"{hub.url}/notifications/")
    page.goto(f"{hub.url}/")
    page.get_by_role("button", name="チャットで質問する").click()
    assert page.get_by_role("dialog", name="くらしの質問チャット").is_visible()
    assert refused == []
