"""Site search: one ranking for the /search/ page and the API (`?search=`).

Order of results: the editors' promoted pages ("best bets") for the query, then
the Sudachi BM25F ranking (ranking.py) with the editors' synonyms added.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page

from .japanese import Synonyms, analyse, fold
from .models import SearchDocument, SearchSynonym
from .ranking import Document, Ranker, query_terms

MAX_QUERY_LENGTH = 100
SYNONYM_WEIGHT = 0.8
# A Japanese query on an English page (which quotes Japanese titles) counts less.
OTHER_LANGUAGE_FACTOR = 0.3


@dataclass
class SearchOutcome:
    query: str
    page_ids: list[int] = field(default_factory=list)
    promoted_ids: list[int] = field(default_factory=list)
    expanded_with: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.page_ids)


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def _looks_japanese(text: str) -> bool:
    return any(ord(ch) > 0x3000 for ch in text)


class _Snapshot:
    """The index and synonyms as last read from the database, per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: tuple | None = None
        self.ranker = Ranker([])
        self.langs: dict[int, str] = {}
        self.synonyms = Synonyms([])

    def current(self) -> _Snapshot:
        docs = SearchDocument.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
        syns = SearchSynonym.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
        stamp = (docs["n"], docs["t"], syns["n"], syns["t"])
        if stamp != self.stamp:
            with self.lock:
                if stamp != self.stamp:
                    self._load(stamp)
        return self

    def _load(self, stamp: tuple) -> None:
        rows = list(SearchDocument.objects.values_list("page_id", "fields", "boost", "lang"))
        self.ranker = Ranker(Document(pk, fields, boost) for pk, fields, boost, _l in rows)
        self.langs = {pk: lang for pk, _f, _b, lang in rows}
        self.synonyms = Synonyms(s.phrase_list() for s in SearchSynonym.objects.all())
        self.stamp = stamp


_snapshot = _Snapshot()


def ensure_index() -> None:
    """A site that had pages before search was installed gets its index on first use."""
    if not SearchDocument.objects.exists() and Page.objects.live().filter(depth__gte=2).exists():
        from .documents import rebuild

        rebuild()


def promoted_page_ids(query: str) -> list[int]:
    """Editors' best bets whose query folds to the same text (ゴミ = ごみ, ＡＢＣ = abc)."""
    folded = fold(query)
    picks = SearchPromotion.objects.select_related("query").filter(page__live=True).order_by(
        "sort_order")
    return [p.page_id for p in picks if p.page_id and fold(p.query.query_string) == folded]


def synonyms() -> Synonyms:
    return _snapshot.current().synonyms


def search(raw_query: str | None) -> SearchOutcome:
    query = clean_query(raw_query)
    outcome = SearchOutcome(query)
    if not fold(query):
        return outcome
    snap = _snapshot.current()
    if snap.stamp and not snap.stamp[0]:  # no search documents yet: build them once
        ensure_index()
        snap = _snapshot.current()
    terms = query_terms(analyse(query))
    outcome.expanded_with = snap.synonyms.expansions(query)
    for phrase in outcome.expanded_with:
        for term, weight in query_terms(analyse(phrase), SYNONYM_WEIGHT).items():
            terms[term] = max(terms.get(term, 0.0), weight)
    japanese = _looks_japanese(query)
    ranked = snap.ranker.rank(terms)
    if japanese:
        ranked = sorted(
            ((pk, s * (OTHER_LANGUAGE_FACTOR if snap.langs.get(pk) == "en" else 1.0))
             for pk, s in ranked), key=lambda item: (-item[1], item[0]))
    outcome.promoted_ids = promoted_page_ids(query)
    seen = set(outcome.promoted_ids)
    outcome.page_ids = outcome.promoted_ids + [pk for pk, _s in ranked if pk not in seen]
    return outcome


def ranked_pages(outcome: SearchOutcome, queryset=None) -> list[Page]:
    """The outcome's pages from `queryset` (default: live pages), in ranking order."""
    qs = queryset if queryset is not None else Page.objects.live().specific()
    by_id = {p.pk: p for p in qs.filter(pk__in=outcome.page_ids)}
    return [by_id[pk] for pk in outcome.page_ids if pk in by_id]
