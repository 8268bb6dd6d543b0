"""Wagtail search on Elasticsearch with a Japanese analyzer: the scale path.

Used by cms/settings/production.py when ELASTICSEARCH_URL is set, e.g.
``ELASTICSEARCH_URL=http://es:9200`` (comma-separate several nodes). The cluster
needs the ``analysis-kuromoji`` plugin (``bin/elasticsearch-plugin install
analysis-kuromoji``; the official Docker image can add it in a one-line Dockerfile).
Then build the index once with ``uv run python manage.py update_index``.

What changes: Wagtail's own search (the admin's page search, ``Page.objects.search``)
runs on Elasticsearch with kuromoji instead of the database. Residents' /search/ and
``/api/v2/pages/?search=`` use the cluster too (cms/sitesearch/elasticsearch.py: its
own index, this analysis, the editors' synonyms added at query time), with the same
BM25F ordering of the candidates, so the rated-query figures keep their meaning.

This cannot run in this repository's test environment (no Elasticsearch); the
configuration is checked by tests/site/test_search_elasticsearch_config.py.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "content" / "synonyms.yaml"


def _synonym_rules() -> list[str]:
    """Solr-format rules ("粗大ごみ, 大型ごみ, そだいごみ") from the seed synonym list."""
    if not SYNONYMS_FILE.exists():
        return []
    rows = (yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8")) or {}).get("synonyms", [])
    return [", ".join(str(p) for p in row) for row in rows if isinstance(row, list) and len(row) > 1]


def japanese_analysis() -> dict:
    """kuromoji analyzers: 'default' for indexing every text field, 'default_search' for queries.

    Like chuo_text (packages/chuo_text): full-width/half-width folded (cjk_width), verbs to
    their base form, particles and auxiliaries dropped, katakana long-vowel stemmed;
    queries also get the synonyms.
    """
    common_filters = ["kuromoji_baseform", "kuromoji_part_of_speech", "cjk_width", "ja_stop",
                      "kuromoji_stemmer", "lowercase"]
    return {
        "char_filter": {"ja_iteration": {"type": "kuromoji_iteration_mark"}},
        "tokenizer": {
            # "search" mode also emits the parts of compounds (粗大ごみ → 粗大 / ごみ).
            "ja_tokenizer": {"type": "kuromoji_tokenizer", "mode": "search",
                             "discard_punctuation": True},
        },
        "filter": {
            "ja_synonyms": {"type": "synonym_graph", "synonyms": _synonym_rules(),
                            "lenient": True},
            # Reading forms let 申込み meet 申し込み, as the site's reading terms do.
            "ja_reading": {"type": "kuromoji_readingform", "use_romaji": False},
        },
        "analyzer": {
            "default": {"type": "custom", "char_filter": ["ja_iteration"],
                        "tokenizer": "ja_tokenizer", "filter": common_filters},
            "default_search": {"type": "custom", "char_filter": ["ja_iteration"],
                               "tokenizer": "ja_tokenizer",
                               "filter": [*common_filters, "ja_synonyms"]},
            "ja_reading_analyzer": {"type": "custom", "tokenizer": "ja_tokenizer",
                                    "filter": ["cjk_width", "ja_reading", "lowercase"]},
            # Autocomplete (Wagtail's AutocompleteField) on Japanese words, not Latin ones.
            "edgengram_analyzer": {"type": "custom", "tokenizer": "ja_tokenizer",
                                   "filter": ["cjk_width", "lowercase", "edgengram"]},
        },
    }


def elasticsearch_backend(url: str, index_prefix: str = "chuo_hub_") -> dict:
    """The WAGTAILSEARCH_BACKENDS["default"] entry for the Elasticsearch at `url`."""
    urls = [u.strip() for u in url.split(",") if u.strip()]
    if not urls:
        raise ValueError("ELASTICSEARCH_URL is empty; give e.g. http://es:9200")
    return {
        "BACKEND": "wagtail.search.backends.elasticsearch8",
        "URLS": urls,
        "INDEX_PREFIX": index_prefix,
        "TIMEOUT": 5,
        "OPTIONS": {},
        "INDEX_SETTINGS": {"settings": {"analysis": japanese_analysis()}},
    }
