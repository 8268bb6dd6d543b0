"""Residents' search on the database's full-text engine, kept up to date page by page.

The engine is the one of the database the suite runs on (SQLite FTS5, or PostgreSQL
full-text in the PostgreSQL run). Elasticsearch cannot run here: its index mapping
and its query are checked as data.
"""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from wagtail.models import Page

from cms.pages.models import NewsIndexPage, NewsPage
from cms.sitesearch import elasticsearch, engines, service
from cms.sitesearch.models import SearchDocument, SearchTerm

pytestmark = pytest.mark.django_db

WORD = "ヘリポート遊覧飛行"


def slugs(q: str) -> list[str]:
    ids = service.search(q).page_ids
    by_id = dict(Page.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [by_id[pk] for pk in ids]


def publish_news(title: str, slug: str = "heliport") -> NewsPage:
    page = NewsPage(title=title, slug=slug, summary="晴海のヘリポートで遊覧飛行の体験会を開きます。")
    NewsIndexPage.objects.first().add_child(instance=page)
    page.save_revision().publish()
    return page


def engine_rows() -> int:
    engine = engines.database_engine()
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {engine.table}")
        return cur.fetchone()[0]


def doc_freq(term: str) -> int:
    row = SearchTerm.objects.filter(token=engines.token(term)).first()
    return row.documents if row else 0


def test_engine_is_chosen_from_the_database_vendor():
    engine = engines.database_engine()
    assert engine.name == {"sqlite": "sqlite-fts5", "postgresql": "postgresql-tsvector"}[
        connection.vendor]


def test_publish_makes_a_page_findable_and_touches_only_its_own_entry():
    service.search("住民票")  # the index exists
    before = dict(SearchDocument.objects.values_list("page_id", "updated_at"))
    rows = engine_rows()
    page = publish_news(f"{WORD}のお知らせ")
    assert slugs(WORD)[0] == "heliport"
    after = dict(SearchDocument.objects.values_list("page_id", "updated_at"))
    assert {pk for pk in after if after[pk] != before.get(pk)} == {page.pk}
    assert engine_rows() == rows + 1
    assert doc_freq("w:晴海") >= 1


def test_unpublish_and_delete_take_the_page_out_with_its_term_counts():
    service.search("住民票")
    rows, heliport = engine_rows(), doc_freq("w:へりぽーと")
    page = publish_news(f"{WORD}のお知らせ")
    assert doc_freq("w:へりぽーと") == heliport + 1
    page.unpublish()
    assert "heliport" not in slugs(WORD)
    assert engine_rows() == rows and doc_freq("w:へりぽーと") == heliport
    page.save_revision().publish()
    assert slugs(WORD)[0] == "heliport"
    page.delete()
    assert engine_rows() == rows and doc_freq("w:へりぽーと") == heliport
    assert slugs(WORD) == []


def test_moved_page_is_still_found():
    page = publish_news(f"{WORD}のお知らせ")
    target = Page.objects.get(slug="bosai")  # another section of the site
    page.move(target, pos="last-child")
    assert slugs(WORD)[0] == "heliport"


def test_term_counts_match_the_indexed_pages():
    service.search("住民票")
    docs = list(SearchDocument.objects.all())
    for term in ["w:住民票", "w:ごみ", "r:もうしこみ", "g:じゅ"]:
        assert doc_freq(term) == sum(1 for d in docs if term in d.terms()), term


def test_tokens_are_plain_letters_no_tokenizer_can_split():
    for term in ["w:住民票", "g:ー・", "w:e-tax", "r:じゅうみんひょう", "w:1,000円"]:
        tok = engines.token(term)
        assert tok.isascii() and tok.isalpha() and tok.islower() and len(tok) == 17
    assert engines.token("w:住民票") != engines.token("r:住民票")


# --- Elasticsearch / OpenSearch (scale-out): mapping and query as data --------------


def test_elasticsearch_index_uses_kuromoji_with_readings_and_no_baked_in_synonyms():
    body = elasticsearch.mapping()
    analysis = body["settings"]["analysis"]
    assert analysis["tokenizer"]["ja_tokenizer"]["type"] == "kuromoji_tokenizer"
    assert analysis["analyzer"]["default"]["tokenizer"] == "ja_tokenizer"
    assert "kuromoji_baseform" in analysis["analyzer"]["default"]["filter"]
    # Synonyms are applied at query time, so editors' changes need no re-index.
    assert "ja_synonyms" not in analysis["filter"]
    assert "ja_synonyms" not in str(analysis["analyzer"])
    props = body["mappings"]["properties"]
    for name in ("title", "faq", "summary", "body"):
        assert props[name]["analyzer"] == "default"
        assert props[name]["fields"]["reading"]["analyzer"] == "ja_reading_analyzer"


def test_elasticsearch_query_weights_fields_and_adds_editors_synonyms():
    body = elasticsearch.query("でかいごみ", ["粗大ごみ", "大型ごみ"], 40)
    assert body["size"] == 40 and body["_source"] is False
    should = body["query"]["bool"]["should"]
    assert [c["multi_match"]["query"] for c in should] == ["でかいごみ", "粗大ごみ", "大型ごみ"]
    assert [c["multi_match"]["boost"] for c in should] == [1.0, 0.8, 0.8]
    fields = should[0]["multi_match"]["fields"]
    assert fields[:4] == ["title^3.0", "faq^2.0", "summary^1.2", "body^0.5"]
    assert "title.reading^2.10" in fields


def test_synonym_saved_in_the_admin_reaches_the_elasticsearch_query(settings):
    from cms.sitesearch.models import SearchSynonym

    SearchSynonym.objects.create(phrases="粗大ごみ、でかいごみ")
    expansions = service.synonyms().expansions("でかいごみ")
    assert "粗大ごみ" in expansions
    clauses = elasticsearch.query("でかいごみ", expansions, 10)["query"]["bool"]["should"]
    assert "粗大ごみ" in [c["multi_match"]["query"] for c in clauses]


def test_unreachable_cluster_falls_back_to_the_database_engine(settings, caplog):
    from tests.support.hub import free_port

    expected = slugs("粗大ごみ")
    settings.SITESEARCH_ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    assert slugs("粗大ごみ") == expected
    with caplog.at_level(logging.WARNING):
        publish_news(f"{WORD}のお知らせ")
    assert "not updated" in caplog.text
    assert slugs(WORD)[0] == "heliport"


def test_pages_whose_residents_questions_match_are_asked_for_by_field():
    # The FAQ field is on topic pages only: asking the engine for it finds the page that
    # answers even when many news items share the words (service._candidates).
    service.search("住民票")
    news = publish_news("粗大ごみの収集日のお知らせ", slug="sodai-news")
    tokens = [engines.token("w:粗大ごみ"), engines.token("w:粗大")]
    engine = engines.database_engine()
    anywhere = engine.candidates(tokens, 100)
    in_questions = engine.candidates(tokens, 100, fields=("faq",))
    sodai = Page.objects.get(slug="sodai-gomi").pk
    assert news.pk in anywhere and sodai in anywhere
    assert sodai in in_questions and news.pk not in in_questions


def test_a_field_only_some_pages_have_is_averaged_over_those_pages():
    # News items have no FAQ: counting them would shrink the FAQ's average length and
    # make every FAQ match count for nothing on a site with many news items.
    service.search("住民票")
    for i in range(5):
        publish_news(f"{WORD}のお知らせ{i}", slug=f"heliport-{i}")
    with_faq = [d.faq_length for d in SearchDocument.objects.filter(faq_length__gt=0)]
    corpus = service._corpus.current()
    assert corpus.avg_len["faq"] == pytest.approx(sum(with_faq) / len(with_faq))
    assert corpus.documents == SearchDocument.objects.count()
