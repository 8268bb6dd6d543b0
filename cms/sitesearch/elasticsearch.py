"""Residents' search on Elasticsearch / OpenSearch, when the ward runs a cluster.

With `SITESEARCH_ELASTICSEARCH_URL` set (it defaults to ELASTICSEARCH_URL), each
published page is also sent to the index `<prefix>residents` (kuromoji analyser:
the cluster needs the analysis-kuromoji plugin), and residents' queries ask that
index for candidates. The candidates are then ordered by the same BM25F as on
the database engines (service._rank), so the rated queries mean the same thing on
every engine.

Editors' synonyms (検索の同義語) are applied at query time: the query carries the
phrases of every matching group as extra, lower-weighted clauses, so a synonym
saved in the admin works on the next search, with no re-index and no analyser
reload. If the cluster cannot be reached, the database's own engine answers.

No Elasticsearch runs in this repository's tests: the mapping and the query are
checked as data (tests/site/test_search_engines.py). To score the rated queries
against a real cluster, see the README's scale section (bench/search_quality.py
with SITESEARCH_ELASTICSEARCH_URL set).

Plain HTTP with the standard library, because the index and the query are small
JSON documents and the client library would be one more thing to keep in step
with the cluster's major version.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping

from django.conf import settings

from cms.settings.search_elasticsearch import japanese_analysis

log = logging.getLogger(__name__)

# Same proportions as ranking.FIELD_WEIGHTS: title > FAQ paraphrases > summary > body.
FIELD_BOOSTS = {"title": 3.0, "faq": 2.0, "summary": 1.2, "body": 0.5}
SYNONYM_BOOST = 0.8
READING_BOOST = 0.7  # a same-reading match counts less than a written-form match
TIMEOUT_SECONDS = 2.0


class Unavailable(Exception):
    """The cluster did not answer (or answered an error)."""


def mapping() -> dict:
    """Index settings and mappings of the residents' index."""
    analysis = japanese_analysis()
    # Synonyms come from the editors' admin list at query time, not from the analyser.
    analysis["filter"].pop("ja_synonyms", None)
    analysis["analyzer"].pop("default_search", None)
    analysis["analyzer"].pop("edgengram_analyzer", None)
    text = {"type": "text", "analyzer": "default",
            "fields": {"reading": {"type": "text", "analyzer": "ja_reading_analyzer"}}}
    return {
        "settings": {"analysis": analysis, "number_of_shards": 1},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                **{name: dict(text) for name in FIELD_BOOSTS},
                "lang": {"type": "keyword"},
                "boost": {"type": "float"},
            },
        },
    }


def document(texts: Mapping[str, str], boost: float, lang: str) -> dict:
    """One page as the index stores it."""
    return {**{name: texts.get(name, "") or "" for name in FIELD_BOOSTS},
            "boost": boost, "lang": lang}


def _match(text: str, boost: float) -> dict:
    fields = [f"{name}^{weight}" for name, weight in FIELD_BOOSTS.items()]
    fields += [f"{name}.reading^{weight * READING_BOOST:.2f}"
               for name, weight in FIELD_BOOSTS.items()]
    return {"multi_match": {"query": text, "fields": fields, "type": "most_fields",
                            "boost": boost}}


def query(text: str, expansions: list[str], limit: int) -> dict:
    """The search request body: the query, its synonyms (weaker), ids only."""
    should = [_match(text, 1.0)] + [_match(p, SYNONYM_BOOST) for p in expansions]
    return {"size": limit, "_source": False, "track_total_hits": False,
            "query": {"bool": {"should": should, "minimum_should_match": 1}}}


class ResidentsIndex:
    def __init__(self, url: str, prefix: str = "chuo_hub_"):
        self.base = url.split(",")[0].strip().rstrip("/")
        self.index = f"{prefix}residents"

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(f"{self.base}/{self.index}{path}", data=data,
                                         method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            if method == "DELETE" and error.code == 404:
                return {}
            raise Unavailable(f"{method} {path}: HTTP {error.code}") from error
        except (OSError, ValueError) as error:
            raise Unavailable(f"{method} {path}: {error}") from error

    def create(self) -> None:
        """(Re)create the index with the mapping: a rebuild starts from an empty index."""
        self._call("DELETE", "")
        self._call("PUT", "", mapping())

    def put(self, page_id: int, texts: Mapping[str, str], boost: float, lang: str) -> None:
        self._call("PUT", f"/_doc/{page_id}", document(texts, boost, lang))

    def remove(self, page_id: int) -> None:
        self._call("DELETE", f"/_doc/{page_id}")

    def candidates(self, text: str, expansions: list[str], limit: int) -> list[int]:
        hits = self._call("POST", "/_search", query(text, expansions, limit))
        return [int(hit["_id"]) for hit in hits.get("hits", {}).get("hits", [])]


def configured() -> ResidentsIndex | None:
    url = getattr(settings, "SITESEARCH_ELASTICSEARCH_URL", "")
    return ResidentsIndex(url, getattr(settings, "SITESEARCH_ELASTICSEARCH_PREFIX",
                                       "chuo_hub_")) if url else None


def send_page(page_id: int, texts: Mapping[str, str] | None, boost: float = 1.0,
              lang: str = "ja") -> None:
    """Mirror one page's change to the cluster; the database stays the source of truth."""
    index = configured()
    if index is None:
        return
    try:
        if texts is None:
            index.remove(page_id)
        else:
            index.put(page_id, texts, boost, lang)
    except Unavailable as error:
        log.warning("residents' search index on Elasticsearch not updated: %s", error)
