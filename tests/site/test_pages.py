"""What residents and other systems get from the site's pages (no browser needed)."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from cms.core.models import EmergencySettings
from cms.core.taxonomy import faq_keys
from cms.feedback.models import PageFeedback
from cms.pages.models import EnglishTopicPage, NewsPage

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [item for block in blocks for item in json.loads(block)["@graph"]]


def test_topic_page_has_faq_breadcrumb_and_organisation_structured_data(client):
    html = client.get("/kurashi/juminhyo/").content.decode()
    types = {item["@type"]: item for item in json_ld(html)}
    assert types["GovernmentOrganization"]["telephone"] == "03-3543-0211"
    crumbs = [e["name"] for e in types["BreadcrumbList"]["itemListElement"]]
    assert crumbs == ["ホーム", "くらし・手続き", "住民票の写しの請求"]
    assert types["FAQPage"]["mainEntity"][0]["name"].startswith("住民票の写し")


def test_pages_carry_open_graph_tags(client):
    html = client.get("/gomi/sodai-gomi/").content.decode()
    assert '<meta property="og:title" content="粗大ごみの申込み">' in html
    assert 'property="og:url" content="http' in html and "/gomi/sodai-gomi/" in html
    assert 'property="og:locale" content="ja_JP"' in html


def test_news_feed_is_rss_newest_first(client):
    response = client.get("/feeds/news/")
    assert response.status_code == 200
    assert "rss" in response["Content-Type"]
    channel = ET.fromstring(response.content).find("channel")
    dates = [item.findtext("pubDate") for item in channel.findall("item")]
    titles = [item.findtext("title") for item in channel.findall("item")]
    expected = [p.title for p in NewsPage.objects.live().order_by("-date")]
    assert [t.removeprefix("【緊急】") for t in titles] == expected
    assert len(dates) == len(expected) > 0


def test_sitemap_lists_every_topic_page(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    for key in faq_keys():
        assert f"/{key}/</loc>" in body, key
    assert "/en/residence-certificate/</loc>" in body


def test_english_home_and_topic_pages_are_english_and_link_to_japanese(client):
    home = client.get("/en/")
    assert home.status_code == 200
    html = home.content.decode()
    assert '<html lang="en">' in html
    assert EnglishTopicPage.objects.live().count() >= 8
    topic = client.get("/en/residence-certificate/").content.decode()
    assert '<html lang="en">' in topic
    assert 'href="/kurashi/juminhyo/"' in topic
    assert not set(EnglishTopicPage.objects.values_list("slug", flat=True)) & set(faq_keys())
    japanese = client.get("/kurashi/juminhyo/").content.decode()
    assert 'href="/en/residence-certificate/"' in japanese and 'hreflang="en"' in japanese


def emergency() -> EmergencySettings:
    return EmergencySettings.for_site(Site.objects.get(is_default_site=True))


def test_emergency_switch_shows_on_the_cached_home_page_at_once(client):
    first = client.get("/")
    assert "緊急情報" not in first.content.decode()
    again = client.get("/")
    assert again["X-Page-Cache"] == "hit"
    # What the JMA feed watcher does: set the fields and save.
    settings = emergency()
    settings.active = True
    settings.headline = "大雨特別警報（中央区）"
    settings.message = "命を守る行動をとってください。"
    settings.link_url = "/bosai/hinan-basho/"
    settings.source = "jma"
    settings.changed_at = timezone.now()
    settings.save()
    html = client.get("/").content.decode()
    assert "大雨特別警報（中央区）" in html and "命を守る行動をとってください。" in html
    assert 'role="alert"' in html and "/bosai/hinan-basho/" in html
    settings.active = False
    settings.save()
    assert "大雨特別警報" not in client.get("/").content.decode()


def test_publishing_a_change_reaches_the_cached_page(client):
    client.get("/gomi/sodai-gomi/")
    assert client.get("/gomi/sodai-gomi/")["X-Page-Cache"] == "hit"
    page = Page.objects.get(slug="sodai-gomi").specific
    page.summary = "新しい要約：粗大ごみは予約制です。"
    page.save_revision().publish()
    assert "新しい要約：粗大ごみは予約制です。" in client.get("/gomi/sodai-gomi/").content.decode()


def test_furigana_cookie_adds_ruby_readings_inside_main(client):
    plain = client.get("/kurashi/juminhyo/").content.decode()
    assert "<ruby>" not in plain
    client.cookies["furigana"] = "1"
    html = client.get("/kurashi/juminhyo/").content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    assert "<ruby>住民票<rp>（</rp><rt>じゅうみんひょう</rt><rp>）</rp></ruby>" in main
    assert "<title>住民票の写しの請求" in html  # the title and head stay plain


def test_feedback_is_recorded_and_shown_to_editors(client, admin_client):
    page = Page.objects.get(slug="kokuho")
    response = client.post("/feedback/", {"page": page.pk, "helpful": "no",
                                          "comment": "保険料の計算例がほしい"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    assert PageFeedback.objects.filter(page=page, helpful=False).count() == 1
    assert client.post("/feedback/", {"page": page.pk}).status_code == 400
    report = admin_client.get("/admin/reports/page-feedback/").content.decode()
    assert "国民健康保険" in report
    comments = admin_client.get("/admin/reports/page-feedback/comments/").content.decode()
    assert "保険料の計算例がほしい" in comments


def test_topic_page_asks_whether_it_was_useful(client):
    html = client.get("/kurashi/juminhyo/").content.decode()
    assert "このページは役に立ちましたか？" in html
