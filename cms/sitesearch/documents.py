"""How each page type is read by search: which text goes in which field."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Page

from . import elasticsearch, engines
from .models import SearchDocument, SearchIndexVersion, SearchTerm
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


def result_summary(page: Page) -> str:
    """The line under a (specific) page's title in search results."""
    for name in ("summary", "intro"):
        if hasattr(page, name):
            return getattr(page, name) or page.search_description or ""
    return page.search_description or ""


def page_texts(page: Page) -> dict[str, str]:
    """Title / faq / summary / body text of a (specific) page."""
    texts = {"title": page.title, "summary": result_summary(page), "faq": "", "body": ""}
    if hasattr(page, "faq_entries"):
        lines = []
        for entry in page.faq_entries.all():
            lines.append(entry.question)
            lines.extend(entry.paraphrase_list())
        texts["faq"] = "\n".join(lines)
    if hasattr(page, "keywords"):
        texts["faq"] = "\n".join(filter(None, [texts["faq"], page.keywords]))
    body_parts = [_text(getattr(page, name, "")) for name in
                  ("audience", "bring", "fees", "where_when", "body")]
    department = getattr(page, "department", None)
    if department is not None:
        body_parts.append(department.name)
    texts["body"] = "\n".join(p for p in body_parts if p)
    return texts


def _count_terms(terms: Iterable[str], step: int) -> None:
    """Add `step` (±1) to the number of pages containing each term."""
    tokens = sorted({engines.token(t) for t in terms})
    for i in range(0, len(tokens), 500):
        chunk = tokens[i : i + 500]
        if step > 0:
            SearchTerm.objects.bulk_create([SearchTerm(token=t) for t in chunk],
                                           ignore_conflicts=True)
        SearchTerm.objects.filter(token__in=chunk).update(documents=F("documents") + step)


def index_page(page: Page) -> SearchDocument | None:
    """(Re)analyse one page; pages that are not live (or the root) are dropped.

    Only this page's row, its engine entry and the counts of the terms it gained or
    lost change: no worker reloads anything.
    """
    page = page.specific
    if not page.live or page.depth < 2:
        unindex_page(page.pk)
        return None
    boost = TYPE_BOOST.get(page.specific_class._meta.model_name, 0.3)
    texts = page_texts(page)
    fields = document_fields(texts)
    lengths = {f"{name}_length": sum(fields.get(name, {}).values()) for name in engines.FIELDS}
    with transaction.atomic():
        old = SearchDocument.objects.select_for_update().filter(page_id=page.pk).first()
        before = old.terms() if old else set()
        doc, _ = SearchDocument.objects.update_or_create(
            page_id=page.pk,
            defaults={"fields": fields, "boost": boost, **lengths, "summary": texts["summary"],
                      "lang": getattr(page, "language_code", "") or "ja",
                      "updated_at": timezone.now()},
        )
        after = doc.terms()
        _count_terms(after - before, +1)
        _count_terms(before - after, -1)
        engines.database_engine().put(page.pk, fields)
        SearchIndexVersion.bump()
    elasticsearch.send_page(page.pk, texts, boost, doc.lang)
    return doc


def unindex_page(page_id: int) -> None:
    """A page residents can no longer see leaves the index (engine entry and counts too)."""
    with transaction.atomic():
        for doc in SearchDocument.objects.filter(page_id=page_id):
            doc.delete()  # post_delete (signals.py) removes the engine entry and counts


def forget_document(doc: SearchDocument) -> None:
    """The engine entry and term counts of a SearchDocument row that is being deleted."""
    # Deleting a page can report the same row twice (unpublish, then the cascade): the
    # engine entry goes once, and only then are its terms uncounted.
    if engines.database_engine().remove(doc.page_id):
        _count_terms(doc.terms(), -1)
    SearchIndexVersion.bump()
    elasticsearch.send_page(doc.page_id, None)


def rebuild() -> int:
    """Analyse every live page again (after changing the analysis, or on a new install)."""
    live = Page.objects.live().filter(depth__gte=2).specific()
    with transaction.atomic():
        engine = engines.database_engine()
        engine.install()
        engine.clear()
        SearchTerm.objects.all().delete()
        # Plain SQL: the rows' engine entries and counts were just cleared, so the
        # per-row post_delete bookkeeping would only repeat that work.
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {connection.ops.quote_name(SearchDocument._meta.db_table)}")
    es = elasticsearch.configured()
    if es is not None:
        try:
            es.create()
        except elasticsearch.Unavailable as error:  # exists already, or down: pages still go
            elasticsearch.log.warning("residents' index not created: %s", error)
    keep = []
    for page in live.iterator(chunk_size=200):
        index_page(page)
        keep.append(page.pk)
    SearchIndexVersion.bump()  # also when no page is live: the index was emptied
    return len(keep)
