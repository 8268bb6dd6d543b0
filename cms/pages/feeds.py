"""RSS 2.0 of the ward's news at /feeds/news/, newest first (contract §2)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed

from cms.core.taxonomy import ward

from .models import NewsPage


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed
    link = "/news/"
    language = "ja"

    def title(self) -> str:
        return f"{ward()['name_ja']}のお知らせ"

    def description(self) -> str:
        return f"{ward()['name_ja']}（{ward()['prefecture_ja']}）からのお知らせ"

    def items(self):
        return NewsPage.objects.live().public().order_by("-date", "-first_published_at")[:50]

    def item_title(self, item: NewsPage) -> str:
        return ("【緊急】" if item.urgent else "") + item.title

    def item_description(self, item: NewsPage) -> str:
        return item.summary

    def item_link(self, item: NewsPage) -> str:
        return item.full_url or settings.HUB_BASE_URL.rstrip("/") + item.url

    def item_guid(self, item: NewsPage) -> str:
        return self.item_link(item)

    def item_pubdate(self, item: NewsPage) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(9, 0)))

    def item_categories(self, item: NewsPage) -> list[str]:
        return [t.name_ja for t in item.topics.all()]
