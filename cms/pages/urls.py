from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from .feeds import NewsFeed

urlpatterns = [
    path("feeds/news/", NewsFeed(), name="news-feed"),
    path("sitemap.xml", sitemap, name="sitemap"),
]
