"""The Elasticsearch configuration production uses (no cluster here: the config is checked)."""

import pytest

from cms.settings.search_elasticsearch import elasticsearch_backend


def test_backend_uses_kuromoji_for_indexing_and_queries_with_synonyms():
    config = elasticsearch_backend("http://es1:9200, http://es2:9200")
    assert config["BACKEND"] == "wagtail.search.backends.elasticsearch8"
    assert config["URLS"] == ["http://es1:9200", "http://es2:9200"]
    analysis = config["INDEX_SETTINGS"]["settings"]["analysis"]
    assert analysis["tokenizer"]["ja_tokenizer"]["type"] == "kuromoji_tokenizer"
    assert analysis["analyzer"]["default"]["tokenizer"] == "ja_tokenizer"
    assert "ja_synonyms" in analysis["analyzer"]["default_search"]["filter"]
    assert any("粗大ごみ" in rule for rule in analysis["filter"]["ja_synonyms"]["synonyms"])


def test_empty_url_is_a_clear_error():
    with pytest.raises(ValueError, match="ELASTICSEARCH_URL"):
        elasticsearch_backend(" ")
