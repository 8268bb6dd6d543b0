"""Answers stay right while workers reuse them: every change an editor makes shows at once.

Site search keeps recent answers per worker under the index version (service.py); these
tests search first, so an answer is kept, then change what it depends on.
"""

from __future__ import annotations

import pytest
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page

from cms.sitesearch.models import SearchDocument, SearchSynonym

pytestmark = pytest.mark.django_db


def slugs(client, q: str, **params) -> list[str]:
    response = client.get("/api/v2/pages/", {"search": q, "fields": "slug", **params})
    assert response.status_code == 200, response.content
    return [item["meta"]["slug"] for item in response.json()["items"]]


def test_a_best_bet_shows_and_goes_at_once(client):
    before = slugs(client, "ごみ")
    assert before[0] != "hinan-basho"
    promotion = SearchPromotion.objects.create(query=Query.get("ごみ"), sort_order=0,
                                               page=Page.objects.get(slug="hinan-basho"))
    assert slugs(client, "ごみ")[0] == "hinan-basho"
    promotion.delete()
    assert slugs(client, "ごみ") == before


def test_a_removed_synonym_stops_matching_at_once(client):
    synonym = SearchSynonym.objects.create(phrases="粗大ごみ、でかいごみ")
    assert slugs(client, "でかいごみ")[0] == "sodai-gomi"
    synonym.delete()
    assert "sodai-gomi" not in slugs(client, "でかいごみ")[:1]


def test_an_edited_page_is_found_by_its_new_words_at_once(client):
    assert "toshokan" not in slugs(client, "ふくろう文庫")
    page = Page.objects.get(slug="toshokan").specific
    page.title = "図書館（ふくろう文庫）"
    page.save_revision().publish()
    assert slugs(client, "ふくろう文庫")[0] == "toshokan"


def test_api_pages_through_the_whole_ranking(client):
    whole = slugs(client, "手続き", limit=20)
    response = client.get("/api/v2/pages/", {"search": "手続き", "fields": "slug",
                                             "limit": 3, "offset": 2}).json()
    assert len(whole) > 5
    assert [i["meta"]["slug"] for i in response["items"]] == whole[2:5]
    assert response["meta"]["total_count"] >= len(whole)


def test_results_show_each_pages_summary_also_when_indexed_before_summaries(client):
    page = Page.objects.get(slug="sodai-gomi").specific
    html = client.get("/search/", {"q": "粗大ごみ"}).content.decode()
    assert page.summary[:40] in html
    # A site upgraded from before summaries were kept: the page itself is read.
    SearchDocument.objects.update(summary=None)
    html = client.get("/search/", {"q": "粗大ごみ 申込み"}).content.decode()
    assert page.summary[:40] in html


# --- whole answers sent again (cms/sitesearch/responses.py) -------------------------

def test_a_repeated_search_is_sent_again_with_the_same_page_and_headers(client):
    first = client.get("/search/", {"q": "避難所"})
    again = client.get("/search/", {"q": "避難所"})
    assert again["X-Search-Cache"] == "hit" and first.get("X-Search-Cache") is None
    assert again.content == first.content
    for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options"):
        assert again[header] == first[header], header
    api = [client.get("/api/v2/pages/", {"search": "避難所", "fields": "slug"}) for _ in "12"]
    assert api[1]["X-Search-Cache"] == "hit" and api[1].json() == api[0].json()


def test_a_page_made_private_leaves_a_repeated_search_at_once(client):
    from wagtail.models import PageViewRestriction

    page = Page.objects.get(slug="sodai-gomi")
    assert page.url in client.get("/search/", {"q": "粗大ごみ"}).content.decode()
    assert "sodai-gomi" in slugs(client, "粗大ごみ")
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="x" * 12)
    assert page.url not in client.get("/search/", {"q": "粗大ごみ"}).content.decode()
    assert "sodai-gomi" not in slugs(client, "粗大ごみ")


def test_editors_and_visitors_with_a_session_always_get_a_fresh_answer(client, admin_client):
    client.get("/search/", {"q": "住民票"})
    assert client.get("/search/", {"q": "住民票"})["X-Search-Cache"] == "hit"
    assert admin_client.get("/search/", {"q": "住民票"}).get("X-Search-Cache") is None


def test_a_repeated_search_that_finds_nothing_still_counts_for_editors(client):
    from cms.sitesearch.models import ZeroResultQuery

    for _ in range(3):
        client.get("/search/", {"q": "ドラゴン退治"})
        client.get("/api/v2/pages/", {"search": "ドラゴン退治"})
    assert ZeroResultQuery.objects.get(query="ドラゴン退治").count == 6


def test_a_kept_api_answer_is_only_sent_to_a_client_asking_for_the_same_format(client):
    params = {"search": "避難所", "fields": "slug"}
    script = [client.get("/api/v2/pages/", params, HTTP_ACCEPT="application/json") for _ in "12"]
    browser = [client.get("/api/v2/pages/", params, HTTP_ACCEPT="text/html") for _ in "12"]
    assert script[1]["X-Search-Cache"] == "hit"
    assert all(r["Content-Type"].startswith("text/html") for r in browser)
    assert all(r["Content-Type"] == "application/json" for r in script)
    assert script[1].json()["items"]
