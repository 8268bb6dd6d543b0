"""Site search: one ranking for the /search/ page and the API (`?search=`).

Order of results: the editors' promoted pages ("best bets") for the query, then
the pages the search engine finds for the Sudachi-analysed query and the editors'
synonyms (engines.py: SQLite FTS5 or PostgreSQL full-text; Elasticsearch when
configured), ordered by BM25F over just those candidates (ranking.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from chuo_text import Synonyms, analyse, fold, has_kanji
from django.db.models import Avg, Case, Count, F, When
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page

from cms.core.bounded_cache import BoundedCache

from . import elasticsearch, engines
from .models import SearchDocument, SearchIndexVersion, SearchSynonym, SearchTerm
from .ranking import CorpusStats, Document, Ranker, query_terms, query_words

MAX_QUERY_LENGTH = 100
# How many pages the engine hands to BM25F, per kind of match (words, bigrams): far
# more than a resident reads, few enough to rank in a couple of milliseconds.
CANDIDATES = 40
SYNONYM_WEIGHT = 0.8
# A token on more than this share of the pages (and more than COMMON_TERM_PAGES) does not
# pick candidates (_candidates); with fewer pages than that, every token does.
COMMON_TERM_SHARE = 0.1
COMMON_TERM_PAGES = 1000
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


class _Corpus:
    """Synonyms and corpus-wide averages, re-read only when the index version changed.

    One primary-key read per search (SearchIndexVersion) tells whether anything changed;
    the index itself stays in the database's engine, so a publish costs a worker
    nothing to pick up.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: str | None = None
        self.documents = 0
        self.avg_len: dict[str, float] = {}
        self.synonyms = Synonyms([])

    def current(self) -> _Corpus:
        version = SearchIndexVersion.current()
        if version != self.version:
            with self.lock:
                if version != self.version:
                    self._load(version)
        return self

    def _load(self, version: str) -> None:
        # A field's average length counts only the pages that have the field: the FAQ
        # field is on topic pages alone, and averaged over thousands of news items it
        # would shrink towards zero and make every FAQ match count for nothing.
        averages = SearchDocument.objects.aggregate(
            n=Count("pk"), **{name: Avg(Case(When(**{f"{name}_length__gt": 0},
                                                  then=F(f"{name}_length"))))
                              for name in engines.FIELDS})
        self.documents = averages.pop("n")
        self.avg_len = {name: float(value or 0.0) for name, value in averages.items()}
        self.synonyms = Synonyms(s.phrase_list() for s in SearchSynonym.objects.all())
        self.version = version


_corpus = _Corpus()


def _candidates(corpus: _Corpus, query: str, expansions: list[str], terms: dict[str, float],
                doc_freq: dict[str, int]) -> list[int]:
    """Pages the engine finds for the query's terms, best first by the engine's own rank.

    Words and readings are asked for apart from reading bigrams: a bigram like 「しん」
    is on thousands of pages, and pages found by bigrams alone only count for a kana
    query, when they share most of its reading (ranking.Ranker.rank): a query with kanji
    does not ask for them at all.
    """
    es = elasticsearch.configured()
    if es is not None:
        try:
            return es.candidates(query, expansions, CANDIDATES)
        except elasticsearch.Unavailable:
            pass  # the database's own engine still answers on a bad day
    engine = engines.database_engine()
    words = [engines.token(t) for t in terms if not t.startswith("g:")]
    grams = [engines.token(t) for t in terms if t.startswith("g:")]
    # The engine scores every page a token is on, and a token on a tenth of a big site
    # (区, する, the reading く) finds thousands of pages while adding almost nothing to
    # their score: a page with only such words cannot cover the question (MIN_WORD_COVER).
    # Those tokens still count in the ranking; they only do not pick the candidates.
    common = max(COMMON_TERM_SHARE * corpus.documents, COMMON_TERM_PAGES)

    def picking(tokens: list[str]) -> list[str]:
        rarer = [t for t in tokens if doc_freq.get(t, 0) <= common]
        return rarer or sorted(tokens, key=lambda t: doc_freq.get(t, 0))[:3]

    words, grams = picking(words), picking(grams)
    found = engine.candidates(words, CANDIDATES)
    # Pages whose residents' questions (the FAQ field, on topic pages) match are always
    # candidates: on a big site, hundreds of short news items with the same words would
    # otherwise fill the engine's first 40 and leave out the page that answers.
    found += engine.candidates(words, CANDIDATES, fields=("faq",))
    if grams and not has_kanji(query):  # bigrams alone only count for kana queries
        found += engine.candidates(grams, CANDIDATES)
    return list(dict.fromkeys(found))


class _RecentDocuments:
    """The analysed pages recent searches ranked, bounded by their number of terms.

    Reading a page's term counts (JSON) costs far more than ranking it, and residents
    ask much the same things (on a disaster day, the same few): the pages those
    questions find stay decoded. A page's entry is keyed by its `updated_at`, so a
    republished page is read again. Bounded so a worker's memory does not grow with
    the site.
    """

    MAX_TERMS = 150_000  # about 15–20 MB of decoded term counts per worker

    def __init__(self) -> None:
        self.kept = BoundedCache(self.MAX_TERMS)  # page id → (updated_at, Document, lang)

    def get(self, ids: list[int]) -> tuple[list[Document], dict[int, str]]:
        stamps = dict(SearchDocument.objects.filter(page_id__in=ids).values_list(
            "page_id", "updated_at"))
        found: dict[int, tuple[Document, str]] = {}
        for pk, stamp in stamps.items():
            entry = self.kept.get(pk)
            if entry and entry[0] == stamp:
                found[pk] = (entry[1], entry[2])
        missing = [pk for pk in stamps if pk not in found]
        if missing:
            rows = SearchDocument.objects.filter(page_id__in=missing).values_list(
                "page_id", "updated_at", "fields", "boost", "lang")
            for pk, stamp, fields, boost, lang in rows:
                doc = Document(pk, fields, boost)
                found[pk] = (doc, lang)
                self.kept.put(pk, (stamp, doc, lang), sum(len(c) for c in fields.values()))
        docs = [found[pk][0] for pk in ids if pk in found]
        return docs, {pk: lang for pk, (_d, lang) in found.items()}


_recent = _RecentDocuments()


def _rank(corpus: _Corpus, ids: list[int], terms: dict[str, float], doc_freq: dict[str, int],
          query: str, rewrites: list[str]) -> tuple[list[tuple[int, float]], dict[int, str]]:
    """BM25F over just the candidates, with the site's document frequencies."""
    docs, langs = _recent.get(ids)
    by_token = {engines.token(t): t for t in terms}
    stats = CorpusStats(corpus.documents, corpus.avg_len,
                        {by_token[tok]: n for tok, n in doc_freq.items() if tok in by_token})
    alternatives = [query_words(text) for text in (query, *rewrites)]
    ranker = Ranker(docs, stats, only=terms)
    return ranker.rank(terms, alternatives=alternatives, grams_alone=not has_kanji(query)), langs


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
    return _corpus.current().synonyms


class _RecentAnswers:
    """The answers to recent queries, each under the index version it was computed for.

    Residents ask the same things (on a disaster day, the same few), and an answer only
    changes when a page, a synonym or a best bet does, which changes the version. So a
    repeated query costs one primary-key read instead of a full-text query and a
    re-rank. Bounded by number of queries; ids only, so a few hundred KB per worker.
    """

    MAX_QUERIES = 2000

    def __init__(self) -> None:
        self.kept = BoundedCache(self.MAX_QUERIES)

    def get(self, version: str, query: str) -> SearchOutcome | None:
        entry = self.kept.get((version, query))
        if entry is None:
            return None
        page_ids, promoted_ids, expanded_with = entry
        return SearchOutcome(query, list(page_ids), list(promoted_ids), list(expanded_with))

    def keep(self, version: str, outcome: SearchOutcome) -> None:
        self.kept.put((version, outcome.query), (
            tuple(outcome.page_ids), tuple(outcome.promoted_ids), tuple(outcome.expanded_with)))


_answers = _RecentAnswers()


def search(raw_query: str | None) -> SearchOutcome:
    query = clean_query(raw_query)
    if not fold(query):
        return SearchOutcome(query)
    corpus = _corpus.current()
    if not corpus.documents:  # no search documents yet: build them once
        ensure_index()
        corpus = _corpus.current()
    version = corpus.version or ""
    known = _answers.get(version, query)
    if known is not None:
        return known
    outcome = _answer(corpus, query)
    _answers.keep(version, outcome)
    return outcome


def _answer(corpus: _Corpus, query: str) -> SearchOutcome:
    outcome = SearchOutcome(query)
    terms = query_terms(analyse(query))
    outcome.expanded_with = corpus.synonyms.expansions(query)
    for phrase in outcome.expanded_with:
        for term, weight in query_terms(analyse(phrase), SYNONYM_WEIGHT).items():
            terms[term] = max(terms.get(term, 0.0), weight)
    doc_freq = dict(SearchTerm.objects.filter(  # engine token → pages it is on
        token__in={engines.token(t) for t in terms}).values_list("token", "documents"))
    found = _candidates(corpus, query, outcome.expanded_with, terms, doc_freq)
    ranked, langs = _rank(corpus, found, terms, doc_freq, query,
                          corpus.synonyms.rewrites(query))
    if _looks_japanese(query):
        ranked = sorted(
            ((pk, s * (OTHER_LANGUAGE_FACTOR if langs.get(pk) == "en" else 1.0))
             for pk, s in ranked), key=lambda item: (-item[1], item[0]))
    outcome.promoted_ids = promoted_page_ids(query)
    seen = set(outcome.promoted_ids)
    outcome.page_ids = outcome.promoted_ids + [pk for pk, _s in ranked if pk not in seen]
    return outcome


def visible_ids(outcome: SearchOutcome, queryset) -> list[int]:
    """The outcome's page ids that `queryset` holds (e.g. live and public), in rank order.

    One id-only query: counting and paging the results never builds page objects.
    """
    held = set(queryset.filter(pk__in=outcome.page_ids).values_list("pk", flat=True))
    return [pk for pk in outcome.page_ids if pk in held]


def ranked_pages(outcome: SearchOutcome, queryset=None) -> list[Page]:
    """The outcome's pages from `queryset` (default: live public pages), in ranking order."""
    qs = queryset if queryset is not None else Page.objects.live().public()
    by_id = {p.pk: p for p in qs.filter(pk__in=outcome.page_ids)}
    return [by_id[pk] for pk in outcome.page_ids if pk in by_id]


def result_pages(page_ids: list[int]) -> list[Page]:
    """Pages for a results list, in this order, each with `search_summary` set.

    Plain page rows plus the summary kept in the index: a results page never loads its
    results' whole pages (their bodies), so it costs the same on a site of any size.
    Callers pass ids already checked with visible_ids().
    """
    from .documents import result_summary

    pages = {p.pk: p for p in Page.objects.filter(pk__in=page_ids)}
    summaries = dict(SearchDocument.objects.filter(page_id__in=page_ids).values_list(
        "page_id", "summary"))
    unknown = [pk for pk in page_ids if summaries.get(pk) is None]
    if unknown:  # indexed before summaries were kept
        for page in Page.objects.filter(pk__in=unknown).specific():
            summaries[page.pk] = result_summary(page)
    shown = []
    for pk in page_ids:
        if pk in pages:
            pages[pk].search_summary = summaries.get(pk) or ""
            shown.append(pages[pk])
    return shown
