"""Japanese search on the results page and the API, synonyms, best bets, missed queries."""

import chuo_text as japanese
import pytest
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page

from cms.sitesearch.models import SearchSynonym, ZeroResultQuery

pytestmark = pytest.mark.django_db


def result_slugs(client, q: str) -> list[str]:
    response = client.get("/api/v2/pages/", {"search": q, "fields": "slug", "limit": 20})
    assert response.status_code == 200, response.content
    return [item["meta"]["slug"] for item in response.json()["items"]]


@pytest.mark.parametrize("query, slug", [
    ("住民票", "juminhyo"), ("粗大ごみ", "sodai-gomi"), ("ごみ", "gomi-dashikata"),
    ("ゴミの出し方", "gomi-dashikata"), ("粗大ゴミ 申し込み", "sodai-gomi"),
    ("じゅうみんひょう", "juminhyo"), ("そだいごみ", "sodai-gomi"),
])
def test_words_inside_japanese_sentences_are_found(client, query, slug):
    assert result_slugs(client, query)[0] == slug


def test_results_page_and_api_give_the_same_order(client):
    for q in ["保育園 申込み", "引っ越し", "マイナンバーカード"]:
        html = client.get("/search/", {"q": q}).content.decode()
        api = client.get("/api/v2/pages/", {"search": q, "fields": "slug", "limit": 10}).json()
        urls = [item["meta"]["html_url"] for item in api["items"]]
        assert urls, q
        positions = [html.index(f'href="{Page.objects.get(slug=item["meta"]["slug"]).url}"')
                     for item in api["items"]]
        assert positions == sorted(positions), q


def test_api_items_carry_slug_and_html_url(client):
    items = client.get("/api/v2/pages/?search=住民票&fields=slug").json()["items"]
    assert items[0]["meta"]["slug"] == "juminhyo"
    assert items[0]["meta"]["html_url"].endswith("/kurashi/juminhyo/")


def test_results_page_shows_titles_and_summaries(client):
    html = client.get("/search/", {"q": "粗大ごみ"}).content.decode()
    assert "「粗大ごみ」の検索結果" in html
    assert "粗大ごみの申込み" in html
    assert '<html lang="ja">' in html


def test_spelling_variants_meet():
    # 申込み / 申し込み share their reading; ゴミ / ごみ fold to one form.
    assert "もうしこみ" in japanese.analyse("申込み").readings
    assert "もうしこみ" in japanese.analyse("申し込み").readings
    assert japanese.analyse("ゴミ").words == japanese.analyse("ごみ").words


def test_editors_synonym_changes_search_at_once(client):
    assert "sodai-gomi" not in result_slugs(client, "でかいごみ")[:1]
    SearchSynonym.objects.create(phrases="粗大ごみ、でかいごみ")
    assert result_slugs(client, "でかいごみ")[0] == "sodai-gomi"


def test_promoted_page_comes_first_on_page_and_api(client):
    target = Page.objects.get(slug="hinan-basho")
    SearchPromotion.objects.create(query=Query.get("ゴミ"), page=target, sort_order=0,
                                   description="災害時のごみ")
    assert result_slugs(client, "ごみ")[0] == "hinan-basho"  # folds ゴミ = ごみ
    html = client.get("/search/", {"q": "ごみ"}).content.decode()
    assert "おすすめ" in html


def test_query_with_no_result_is_logged_for_editors(client, admin_client):
    response = client.get("/search/", {"q": "ドラゴン退治"})
    assert "お探しの情報が見つかりませんでした" in response.content.decode()
    client.get("/search/", {"q": "ドラゴン退治"})
    row = ZeroResultQuery.objects.get(query="ドラゴン退治")
    assert row.count == 2
    report = admin_client.get("/admin/reports/zero-result-searches/")
    assert report.status_code == 200
    assert "ドラゴン退治" in report.content.decode()


def test_unpublished_page_leaves_search(client):
    page = Page.objects.get(slug="toshokan")
    page.unpublish()
    assert "toshokan" not in result_slugs(client, "図書館")
    page.get_latest_revision().publish()
    assert result_slugs(client, "図書館")[0] == "toshokan"


def test_over_long_or_empty_queries_are_handled(client):
    assert client.get("/search/", {"q": ""}).status_code == 200
    assert client.get("/search/", {"q": "ご" * 5000}).status_code == 200
    assert client.get("/api/v2/pages/", {"search": "  "}).status_code == 200


def test_editors_admin_page_search_finds_japanese_words(admin_client):
    # ごみ sits inside the title 粗大ごみの申込み: not a prefix, only the split terms find it.
    html = admin_client.get("/admin/pages/search/", {"q": "ごみ"}).content.decode()
    assert "粗大ごみの申込み" in html
