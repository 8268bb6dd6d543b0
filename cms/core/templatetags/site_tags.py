"""Template tags for what other systems read from every page: JSON-LD, canonical URLs."""

from __future__ import annotations

import json

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from cms.core.links import absolute_url as _absolute_url
from cms.core.taxonomy import ward

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, page=None) -> str:
    request = context.get("request")
    if page is not None:
        return _absolute_url(page.url or "/")
    return _absolute_url(request.path if request else "/")


@register.simple_tag
def ward_fact(key: str) -> str:
    """One fact of the ward's identity (taxonomy.yaml), for templates rendered without a
    request context, such as 500.html (which must not need the database either)."""
    return ward()[key]


def _organization() -> dict:
    w = ward()
    return {
        "@type": "GovernmentOrganization",
        "@id": _absolute_url("/#organization"),
        "name": w["name_ja"],
        "alternateName": w["name_en"],
        "url": _absolute_url("/"),
        "telephone": w["main_phone"],
        "address": {"@type": "PostalAddress", "addressCountry": "JP",
                    "addressRegion": w["prefecture_ja"], "streetAddress": w["office_address_ja"]},
    }


@register.simple_tag
def structured_data(page=None) -> str:
    """schema.org JSON-LD: the ward office; breadcrumbs; FAQPage on topic pages."""
    graph: list[dict] = [_organization()]
    if page is not None and getattr(page, "depth", 0) > 2:
        crumbs = list(page.get_ancestors().filter(depth__gte=2)) + [page]
        graph.append({
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i + 1,
                 "name": "ホーム" if p.depth == 2 else p.title, "item": _absolute_url(p.url or "/")}
                for i, p in enumerate(crumbs)
            ],
        })
    if page is not None and hasattr(page, "faq_entries"):
        entries = list(page.faq_entries.all())
        if entries:
            graph.append({
                "@type": "FAQPage",
                "url": _absolute_url(page.url),
                "mainEntity": [
                    {"@type": "Question", "name": e.question,
                     "acceptedAnswer": {"@type": "Answer", "text": strip_tags(e.answer)}}
                    for e in entries
                ],
            })
    if page is not None and hasattr(page, "date") and hasattr(page, "urgent"):
        graph.append({"@type": "NewsArticle", "headline": page.title,
                      "datePublished": page.date.isoformat(), "url": _absolute_url(page.url),
                      "publisher": {"@id": _absolute_url("/#organization")}})
    data = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
    # "</" inside a <script> would end it early.
    return mark_safe('<script type="application/ld+json">' + data.replace("</", "<\\/")
                     + "</script>")
