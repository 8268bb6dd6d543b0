"""The site serves every page type, the API and the health check."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("url", ["/", "/kurashi/", "/gomi/sodai-gomi/", "/life/", "/life/hikkoshi/",
                                 "/news/", "/kurashi/juminhyo/"])
def test_pages_render_in_japanese(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "03-3543-0211" in html  # the ward phone is on every page


def test_every_topic_page_renders(client):
    from cms.pages.models import TopicPage

    for page in TopicPage.objects.live():
        response = client.get(page.url)
        assert response.status_code == 200, page.slug
        assert page.title in response.content.decode()


def test_news_items_render(client):
    from cms.pages.models import NewsPage

    for page in NewsPage.objects.live():
        assert client.get(page.url).status_code == 200


def test_topic_page_shows_what_residents_scan_for(client):
    html = client.get("/kurashi/juminhyo/").content.decode()
    for label in ["必要なもの", "手数料", "お問い合わせ", "よくある質問", "関連する手続き", "最終確認日"]:
        assert label in html


def test_unknown_page_is_a_helpful_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "03-3543-0211" in response.content.decode()


def test_healthz_reports_database_worker_and_chatbot(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert "worker" in body and "chatbot" in body


def test_api_v2_lists_pages_with_slug_and_url(client):
    response = client.get("/api/v2/pages/?fields=slug&limit=100&type=pages.TopicPage")
    assert response.status_code == 200
    items = response.json()["items"]
    slugs = {item["meta"]["slug"] for item in items}
    assert "juminhyo" in slugs
    assert all(item["meta"]["html_url"] for item in items)
