"""How each page type is read by search: which text goes in which field."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Page

from .models import SearchDocument
from .ranking import document_fields

# Topic pages are the canonical answers; lists and news come after them.
TYPE_BOOST = {
    "topicpage": 1.0,
    "englishtopicpage": 1.0,
    "lifeeventpage": 0.55,
    "categorypage": 0.55,
    "newspage": 0.6,
    "standardpage": 0.6,
}


def _text(value) -> str:
    return strip_tags(str(value or "")).strip()


def page_texts(page: Page) -> dict[str, str]:
    """Title / faq / summary / body text of a (specific) page."""
    texts = {"title": page.title, "summary": page.search_description or "", "faq": "",
             "body": ""}
    if hasattr(page, "faq_entries"):
        lines = []
        for entry in page.faq_entries.all():
            lines.append(entry.question)
            lines.extend(entry.paraphrase_list())
        texts["faq"] = "\n".join(lines)
    if hasattr(page, "summary"):
        texts["summary"] = page.summary or texts["summary"]
    elif hasattr(page, "intro"):
        texts["summary"] = page.intro or texts["summary"]
    if hasattr(page, "keywords"):
        texts["faq"] = "\n".join(filter(None, [texts["faq"], page.keywords]))
    body_parts = [_text(getattr(page, name, "")) for name in
                  ("audience", "bring", "fees", "where_when", "body")]
    department = getattr(page, "department", None)
    if department is not None:
        body_parts.append(department.name)
    texts["body"] = "\n".join(p for p in body_parts if p)
    return texts


def index_page(page: Page) -> SearchDocument | None:
    """(Re)analyse one page; pages that are not live (or the root) are dropped."""
    page = page.specific
    if not page.live or page.depth < 2:
        SearchDocument.objects.filter(page_id=page.pk).delete()
        return None
    boost = TYPE_BOOST.get(page.specific_class._meta.model_name, 0.3)
    doc, _ = SearchDocument.objects.update_or_create(
        page_id=page.pk,
        defaults={"fields": document_fields(page_texts(page)), "boost": boost,
                  "lang": getattr(page, "language_code", "") or "ja",
                  "updated_at": timezone.now()},
    )
    return doc


def rebuild() -> int:
    live = Page.objects.live().filter(depth__gte=2).specific()
    keep = []
    for page in live:
        index_page(page)
        keep.append(page.pk)
    SearchDocument.objects.exclude(page_id__in=keep).delete()
    return len(keep)
