"""BM25F ranking over Sudachi-analysed documents (no Django).

The database's full-text engine (engines.py) finds the candidate pages; this module
orders just those candidates with BM25F and the corpus-wide statistics the database
keeps (number of pages, pages per term, average field lengths), so the order is the
same whichever engine found them, and the HTML page and the API agree.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chuo_text import STOP_WORDS, Analysis, analyse, fold, words

# How much a match in each part of a page counts: the title is what residents
# recognise; the FAQ field holds the ways residents ask (paraphrases).
FIELD_WEIGHTS = {"title": 3.0, "faq": 2.0, "summary": 1.2, "body": 0.5}
# A written-form match beats a same-reading match, which beats shared reading bigrams.
# A part of a compound (ごみ in 粗大ごみ) counts half a whole word.
KIND_WEIGHTS = {"w": 1.0, "p": 0.5, "r": 0.7, "g": 0.12}
# A page must have words carrying more than this share of the query's idf (else it
# only shares a stray word with the question and would mislead).
MIN_WORD_COVER = 0.5
K1 = 1.2
B = 0.6


def document_fields(texts: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """The term counts stored for one page: {field: {"w:住民票": 2, "r:…": 1, "g:…": 3}}."""
    out: dict[str, dict[str, int]] = {}
    for name, text in texts.items():
        if not text:
            continue
        a = analyse(text)
        counts: Counter[str] = Counter()
        counts.update("w:" + t for t in a.words)
        counts.update("p:" + t for t in a.parts)
        counts.update("r:" + t for t in a.readings)
        counts.update("g:" + t for t in a.bigrams)
        out[name] = dict(counts)
    return out


def query_terms(analysis: Analysis, weight: float = 1.0) -> dict[str, float]:
    terms: dict[str, float] = {}

    def add(key: str, w: float) -> None:
        terms[key] = max(terms.get(key, 0.0), w * weight)

    for value in analysis.words:
        add("w:" + value, KIND_WEIGHTS["w"])
        add("p:" + value, KIND_WEIGHTS["p"])
    for value in analysis.parts:
        add("w:" + value, KIND_WEIGHTS["p"])
        add("p:" + value, KIND_WEIGHTS["p"])
    for value in analysis.readings:
        add("r:" + value, KIND_WEIGHTS["r"])
    for value in analysis.bigrams:
        add("g:" + value, KIND_WEIGHTS["g"])
    return terms


def query_words(text: str) -> list[frozenset[str]]:
    """The query's content words, each as the set of terms that show a page has it.

    Used to tell a page about the question from a page that only shares one of its
    words (「パスポート 申請」 must not answer with 電子申請).
    """
    groups: list[frozenset[str]] = []
    for w in words(text):
        if not w.is_content:
            continue
        keys = {k for k in (fold(w.surface), fold(w.base)) if k and k not in STOP_WORDS}
        if not keys:
            continue
        whole = {f"{kind}:{k}" for k in keys for kind in ("w", "p")}
        if w.reading and w.reading not in STOP_WORDS:
            whole.add("r:" + w.reading)
        # A compound's parts are words of their own (車庫証明: 車庫 and 証明), so a page
        # with only the common part (証明) does not count as having the compound.
        parts = [(fold(surface), reading) for surface, reading in w.parts]
        parts = [(p, r) for p, r in parts if p and p not in STOP_WORDS]
        if not parts:
            groups.append(frozenset(whole))
        for part, reading in parts:
            terms = set(whole) | {f"w:{part}", f"p:{part}"}
            if reading and reading not in STOP_WORDS:
                terms.add("r:" + reading)
            groups.append(frozenset(terms))
    return groups


@dataclass
class Document:
    key: int  # page id
    fields: dict[str, dict[str, int]]
    boost: float = 1.0
    lengths: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lengths = {name: sum(counts.values()) for name, counts in self.fields.items()}


@dataclass
class CorpusStats:
    """What BM25F needs to know about the whole site, not just the candidates."""

    documents: int
    avg_len: dict[str, float]
    doc_freq: Mapping[str, int]  # term → number of pages containing it


class Ranker:
    """BM25F with an inverted index: term → [(document, field, term frequency)].

    Without `stats` the documents given are the whole corpus (unit tests, small sets).
    `only` limits the index to the terms of the query about to be ranked.
    """

    def __init__(self, documents: Iterable[Document], stats: CorpusStats | None = None,
                 only: Iterable[str] | None = None):
        self.documents = list(documents)
        self.avg_len: dict[str, float] = {}
        for name in FIELD_WEIGHTS:
            lengths = [d.lengths.get(name, 0) for d in self.documents]
            self.avg_len[name] = (sum(lengths) / len(lengths)) if lengths else 1.0
        if stats is not None:
            self.avg_len.update({k: v for k, v in stats.avg_len.items() if v})
        postings: dict[str, list[tuple[int, float]]] = {}
        wanted = None if only is None else set(only)
        for i, doc in enumerate(self.documents):
            for name, counts in doc.fields.items():
                weight = FIELD_WEIGHTS.get(name)
                if not weight:
                    continue
                norm = 1 - B + B * doc.lengths[name] / (self.avg_len[name] or 1)
                items = counts.items() if wanted is None else (
                    (t, counts[t]) for t in wanted if t in counts)
                for term, tf in items:
                    # The field's whole BM25 contribution but the idf, computed once.
                    postings.setdefault(term, []).append(
                        (i, weight * tf * (K1 + 1) / (tf + K1 * norm)))
        self.postings = postings
        if stats is None:
            n = max(len(self.documents), 1)
            df = {t: len({i for i, _ in p}) for t, p in postings.items()}
        else:
            n = max(stats.documents, len(self.documents), 1)
            df = {t: max(stats.doc_freq.get(t, 0), len({i for i, _ in p}))
                  for t, p in postings.items()}
        self.idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in postings}
        self.n = n
        self.stats = stats

    def term_idf(self, term: str) -> float:
        if term in self.idf:
            return self.idf[term]
        df = self.stats.doc_freq.get(term, 0) if self.stats else 0
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def covering(self, alternatives: Iterable[list[frozenset[str]]]) -> set[int]:
        """Documents that have most of the query's words (by idf) in one of its wordings.

        `alternatives` are the query's words and each synonym phrase's words: a page
        about 粗大ごみ covers 「でかいごみ」 once the editors made those synonyms.
        """
        covered: set[int] = set()
        for groups in alternatives:
            weights = [max((self.term_idf(t) for t in g if t.startswith("w:")), default=0.0)
                       for g in groups]
            total = sum(weights)
            if not total:
                continue
            have: dict[int, float] = {}
            for group, weight in zip(groups, weights, strict=True):
                for i in {i for t in group for i, _ in self.postings.get(t, ())}:
                    have[i] = have.get(i, 0.0) + weight
            covered.update(i for i, w in have.items() if w > MIN_WORD_COVER * total)
        return covered

    def rank(self, terms: Mapping[str, float], limit: int | None = None,
             alternatives: list[list[frozenset[str]]] | None = None,
             grams_alone: bool = True) -> list[tuple[int, float]]:
        """BM25F scores, best first; with `alternatives`, only pages covering the query.

        `grams_alone`: a page may be found by reading bigrams alone (a query in kana that
        Sudachi cannot read, じゅうみんひょう). Not for queries with kanji: 明日の天気 must
        not find 転居 because てんき and てんきょ share bigrams.
        """
        scores: dict[int, float] = {}
        words: set[int] = set()  # documents matching a word or a reading, not just bigrams
        grams: dict[int, set[str]] = {}
        query_grams = {t for t in terms if t.startswith("g:")}
        for term, qweight in terms.items():
            for i, part in self.postings.get(term, ()):
                scores[i] = scores.get(i, 0.0) + qweight * self.idf[term] * part
                if term.startswith("g:"):
                    grams.setdefault(i, set()).add(term)
                else:
                    words.add(i)
        if alternatives is not None:
            words &= self.covering(alternatives)
        # Shared bigrams alone count only when they cover most of the query's reading.
        kept = [(i, s) for i, s in scores.items() if i in words
                or (grams_alone and len(grams.get(i, ())) >= 0.6 * len(query_grams))]
        if not kept:
            return []
        scored = [(self.documents[i].key, s * self.documents[i].boost) for i, s in kept]
        best = max(s for _k, s in scored)
        # Pages that match only a stray word are noise next to a real match.
        scored = [(k, s) for k, s in scored if s >= best * 0.08]
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit] if limit else scored
