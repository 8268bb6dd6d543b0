"""Ruby readings (ふりがな) over kanji words, added on the server to a page's <main>.

Residents who read little kanji switch it on with the 「ふりがな」 button; the choice
is remembered in a cookie (and localStorage), and the server then sends the page
with <ruby> markup generated from Sudachi's readings.
"""

from __future__ import annotations

import html
import re

from chuo_text import furigana as segments
from chuo_text import has_kanji

COOKIE = "furigana"
SKIP_TAGS = {"script", "style", "ruby", "rt", "rp", "textarea", "option", "code", "pre",
             "title", "svg"}
TAG_RE = re.compile(r"(<[^>]+>)")
NAME_RE = re.compile(r"^</?\s*([a-zA-Z0-9]+)")


def wanted(request) -> bool:
    return request.COOKIES.get(COOKIE) == "1"


def ruby_text(text: str) -> str:
    """Escaped HTML of `text` with <ruby> on each kanji word."""
    out = []
    for surface, reading in segments(text):
        if reading:
            out.append(f"<ruby>{html.escape(surface)}<rp>（</rp><rt>{html.escape(reading)}</rt>"
                       "<rp>）</rp></ruby>")
        else:
            out.append(html.escape(surface, quote=False))
    return "".join(out)


def annotate(markup: str) -> str:
    """Add ruby to the text of an HTML fragment, leaving tags and attributes untouched."""
    out: list[str] = []
    skipping: list[str] = []
    for piece in TAG_RE.split(markup):
        if not piece:
            continue
        if piece.startswith("<"):
            out.append(piece)
            m = NAME_RE.match(piece)
            if not m:
                continue
            name = m.group(1).lower()
            if name in SKIP_TAGS and not piece.endswith("/>"):
                if piece.startswith("</"):
                    if skipping and skipping[-1] == name:
                        skipping.pop()
                else:
                    skipping.append(name)
            continue
        if skipping or not has_kanji(piece):
            out.append(piece)
        else:
            out.append(ruby_text(html.unescape(piece)))
    return "".join(out)


def annotate_page(document: str) -> str:
    """Ruby inside <main> only: headers, forms and scripts stay as they are."""
    start = document.find("<main")
    end = document.rfind("</main>")
    if start < 0 or end < 0:
        return document
    return document[:start] + annotate(document[start:end]) + document[end:]


def apply(request, response):
    if not wanted(request) or "text/html" not in response.get("Content-Type", ""):
        return response
    if getattr(response, "streaming", False):
        return response
    charset = response.charset or "utf-8"
    response.content = annotate_page(response.content.decode(charset)).encode(charset)
    return response
