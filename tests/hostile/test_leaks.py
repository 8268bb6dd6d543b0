"""Each leak of issue 10 closed, as a resident or an editor would notice it."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from cms.assistant.models import UnansweredQuestion
from cms.assistant.service import search_result_replies
from cms.core import page_cache
from cms.core.models import EmergencySettings
from cms.core.privacy import mask_personal_data
from cms.pages.models import CategoryPage, NewsPage, TopicPage
from cms.sitesearch.models import ZeroResultQuery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches():
    from django.core.cache import cache

    cache.clear()  # rate-limit counters of earlier tests
    page_cache.invalidate()


def topic_page() -> TopicPage:
    return TopicPage.objects.live().order_by("path").first()


def restrict(page: Page, kind: str = PageViewRestriction.PASSWORD) -> PageViewRestriction:
    return PageViewRestriction.objects.create(page=page, restriction_type=kind,
                                              password="himitsu-2026")


# --- the page cache -------------------------------------------------------------

def test_password_page_is_not_served_to_the_next_visitor():
    page = topic_page()
    restriction = restrict(page)
    visitor_a, visitor_b = Client(), Client()
    assert page.summary not in visitor_a.get(page.url).content.decode()
    login = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
    visitor_a.post(login, {"password": "himitsu-2026", "return_url": page.url})
    seen_by_a = visitor_a.get(page.url)
    assert page.summary in seen_by_a.content.decode()  # A entered the password
    seen_by_b = visitor_b.get(page.url)  # B has no cookies at all
    assert seen_by_b.get("X-Page-Cache") != "hit"
    assert page.summary not in seen_by_b.content.decode()


def test_a_page_made_private_stops_being_served_from_the_cache():
    page = topic_page()
    Client().get(page.url)
    assert Client().get(page.url)["X-Page-Cache"] == "hit"
    restrict(page, PageViewRestriction.LOGIN)
    response = Client().get(page.url)
    assert response.get("X-Page-Cache") != "hit"
    assert page.summary not in response.content.decode()


def test_a_moved_page_is_not_served_at_its_old_address():
    page = topic_page()
    old_url = page.url
    Client().get(old_url)
    assert Client().get(old_url)["X-Page-Cache"] == "hit"
    other = CategoryPage.objects.exclude(pk=page.get_parent().pk).first()
    page.move(other, pos="last-child")
    page.refresh_from_db()
    response = Client().get(old_url)
    assert response.get("X-Page-Cache") != "hit"
    # Wagtail leaves a redirect to the new address behind; never the old copy.
    assert response.status_code == 404 or response["Location"] == page.url


def test_a_response_to_a_visitor_with_a_session_is_not_stored():
    page = topic_page()
    with_session = Client()
    with_session.cookies["sessionid"] = "whatever-the-visitor-has"
    with_session.get(page.url)
    assert Client().get(page.url).get("X-Page-Cache") == "miss"


def test_cache_hits_carry_the_security_headers():
    page = topic_page()
    first = Client().get(page.url)
    hit = Client().get(page.url)
    assert hit["X-Page-Cache"] == "hit"
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                   "Content-Type"):
        assert hit[header] == first[header], header


# --- private pages in listings ----------------------------------------------------

def test_private_pages_are_in_no_listing():
    news = NewsPage.objects.live().order_by("-date").first()
    topic = topic_page()
    restrict(news, PageViewRestriction.LOGIN)
    restrict(topic)
    client = Client()
    listings = {
        "home": client.get("/").content.decode(),
        "news": client.get("/news/").content.decode(),
        "feed": client.get("/feeds/news/").content.decode(),
        "events csv": client.get("/opendata/131024_event.csv").content.decode("utf-8-sig"),
        "category": client.get(topic.get_parent().url).content.decode(),
    }
    for name in ("home", "news", "feed", "events csv"):
        assert news.url not in listings[name] and news.slug not in listings[name], name
    assert topic.url not in listings["category"]
    for query in (news.title, topic.title):
        found = client.get("/search/", {"q": query}).content.decode()
        assert news.url not in found and topic.url not in found
        api = client.get("/api/v2/pages/", {"search": query, "fields": "slug"}).json()
        assert {news.slug, topic.slug}.isdisjoint(i["meta"]["slug"] for i in api["items"])
        # The assistant's fallback lists search results too: never a private page.
        listed = [reply["url"] for reply in search_result_replies(query)]
        assert news.url not in listed and topic.url not in listed


# --- links start with the hub's origin -------------------------------------------

def test_api_and_feed_links_start_with_the_hub_origin(settings):
    origin = settings.HUB_BASE_URL.rstrip("/") + "/"
    items = Client().get("/api/v2/pages/", {"fields": "slug", "limit": 20}).json()["items"]
    assert items and all(i["meta"]["html_url"].startswith(origin) for i in items)
    feed = Client().get("/feeds/news/").content.decode()
    links = re.findall(r'(?:<link>|<guid>|href=")([^<"]+)', feed)
    assert links and all(link.startswith(origin) for link in links), links


def test_the_default_site_follows_a_changed_hub_base_url(settings):
    from cms.core.sites import sync_default_site

    settings.HUB_BASE_URL = "https://www.city.chuo.example"
    sync_default_site()
    item = Client().get("/api/v2/pages/", {"fields": "slug", "limit": 1}).json()["items"][0]
    assert item["meta"]["html_url"].startswith("https://www.city.chuo.example/")


# --- chat: rate limits, the unanswered log ----------------------------------------

def chat(client, body, **extra):
    return client.post("/api/chat/", data=json.dumps(body), content_type="application/json",
                       **extra)


@pytest.fixture
def one_window(settings):
    """A window far longer than the test, so its counters never roll over mid-test."""
    settings.CHAT_RATE_WINDOW = 10**9
    return settings


def test_rotating_the_sender_does_not_lift_the_limit(one_window):
    settings = one_window
    settings.CHAT_RATE_LIMIT, settings.CHAT_IP_RATE_LIMIT = 3, 5
    client = Client()
    codes = [chat(client, {"sender": f"rotating-{n}", "message": "hi", "lang": "en"}).status_code
             for n in range(7)]
    assert codes == [200] * 5 + [429] * 2


def test_forwarded_for_counts_only_behind_a_trusted_proxy(one_window):
    settings = one_window
    settings.CHAT_RATE_LIMIT, settings.CHAT_IP_RATE_LIMIT = 3, 2
    client = Client()
    forged = [chat(client, {"message": "hi", "lang": "en"},
                   HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    assert forged == [200, 200, 429]  # a client cannot pick its own address
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    behind_proxy = [chat(client, {"message": "hi", "lang": "en"},
                         HTTP_X_FORWARDED_FOR=f"198.51.100.9, 203.0.113.{n}").status_code
                    for n in range(3)]
    assert behind_proxy == [200, 200, 200]  # three residents behind our nginx


def test_the_same_unanswered_question_is_kept_once(settings):
    settings.CHAT_RATE_LIMIT = 0
    for _ in range(3):
        chat(Client(), {"sender": "a", "message": "Where is the city office?", "lang": "en"})
    row = UnansweredQuestion.objects.get(question="Where is the city office?")
    assert row.times_asked == 3


def test_the_unanswered_log_is_capped(settings):
    settings.CHAT_RATE_LIMIT, settings.UNANSWERED_MAX_ROWS = 0, 3
    for n in range(6):
        chat(Client(), {"sender": "a", "message": f"question {n}", "lang": "en"})
    assert UnansweredQuestion.objects.count() == 3


# --- reports need explicit permissions --------------------------------------------

REPORTS = ["/admin/reports/zero-result-searches/", "/admin/reports/zero-result-searches/?export=csv",
           "/admin/reports/page-feedback/", "/admin/reports/page-feedback/comments/",
           "/admin/reports/page-feedback/comments/?export=xlsx"]


def editor(*codenames: str) -> Client:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(f"editor-{len(codenames)}", password="x")
    group = Group.objects.create(name=f"group-{len(codenames)}")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          *Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client


def test_reports_of_residents_text_need_explicit_permissions():
    bare = editor()
    for url in REPORTS + ["/admin/snippets/assistant/unansweredquestion/"]:
        response = bare.get(url)
        assert response.status_code in (302, 403), url
        assert response.status_code == 403 or "/admin/login" not in response.get("Location", "")
    allowed = editor("view_zeroresultquery", "view_pagefeedback")
    for url in REPORTS:
        assert allowed.get(url).status_code == 200, url


# --- links residents are shown ----------------------------------------------------

def test_emergency_link_accepts_only_https_or_site_links():
    from django.core.exceptions import ValidationError
    from wagtail.models import Site

    emergency = EmergencySettings.for_site(Site.objects.get(is_default_site=True))
    emergency.active, emergency.headline = True, "大雨警報"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "//evil.example/", "data:text/html,x",
                "http://example.com/", " javascript:alert(1)", "/\\evil.example"):
        emergency.link_url = bad
        with pytest.raises(ValidationError):
            emergency.full_clean()
    emergency.link_url = "javascript:alert(1)"  # saved by code that skips validation
    emergency.save()
    page = Client().get("/").content.decode()
    assert "大雨警報" in page and "javascript:" not in page
    for good in ("https://www.jma.go.jp/bosai/", "/bosai/"):
        emergency.link_url = good
        emergency.full_clean()


# --- personal data ------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "090-1234-5678", "090.1234.5678", "０９０－１２３４－５６７８", "０９０．１２３４．５６７８",
    "(03)3543-0211", "taro@example.jp", "taro＠example.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
])
def test_phone_numbers_and_mail_addresses_are_masked(typed):
    masked = mask_personal_data(f"連絡先は{typed}です")
    assert masked.startswith("連絡先は［") and masked.endswith("］です"), masked


def test_zero_result_searches_are_stored_masked():
    Client().get("/search/", {"q": "ｘｙｚｚｙ 090.1234.5678"})
    stored = ZeroResultQuery.objects.get()
    assert "1234" not in stored.query and "［番号］" in stored.query


def test_private_procedures_are_not_listed_on_life_event_or_related_pages():
    from cms.pages.models import LifeEventStep

    step = LifeEventStep.objects.select_related("page", "topic_page").first()
    with_related = next(p for p in TopicPage.objects.live() if p.related_pages.exists())
    related = with_related.related_pages.first()
    hidden = {step.topic_page.pk: step.topic_page, related.pk: related}
    for page in hidden.values():
        restrict(page)
    life_event = Client().get(step.page.url).content.decode()
    topic = Client().get(with_related.url).content.decode()
    for page in hidden.values():
        assert f'href="{page.url}"' not in life_event
        assert f'href="{page.url}"' not in topic


def test_private_news_is_not_announced_to_subscribers():
    from notifier.models import Notice

    news = NewsPage.objects.live().filter(topics__isnull=False).first()
    restrict(news, PageViewRestriction.LOGIN)
    news.notify_subscribers = True
    news.save_revision().publish()
    assert not Notice.objects.filter(idempotency_key__startswith=f"news:{news.pk}:").exists()
