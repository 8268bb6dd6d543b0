"""Wagtail API v2 at /api/v2/ (pages, images, documents).

`?search=` on pages uses the site's own Japanese ranking (cms.sitesearch), so the
API, the chatbot and the /search/ page agree on what comes first.
"""

from __future__ import annotations

from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from cms.sitesearch import service
from cms.sitesearch.models import ZeroResultQuery


class RankedPages(list):
    """A ranked list the API paginator can count and slice like a queryset."""

    def count(self) -> int:
        return len(self)


class JapaneseSearchFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if "order" in request.GET:
            raise BadRequestError("search results are in relevance order; remove 'order'")
        outcome = service.search(request.GET["search"])
        pages = RankedPages(service.ranked_pages(outcome, queryset))
        if outcome.query and not pages:
            ZeroResultQuery.record(outcome.query)
        return pages


class SitePagesAPIViewSet(PagesAPIViewSet):
    filter_backends = [
        JapaneseSearchFilter if backend is SearchFilter else backend
        for backend in PagesAPIViewSet.filter_backends
    ]


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", SitePagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
