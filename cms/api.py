"""Wagtail API v2 at /api/v2/ (pages, images, documents).

`?search=` on pages uses the site's own Japanese ranking (cms.sitesearch), so the
API, the chatbot and the /search/ page agree on what comes first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from cms.sitesearch import service
from cms.sitesearch.query_input import MAX_RAW_QUERY, clean_search_input, record_zero_result


class RankedPages(Sequence):
    """Ranked results the API paginator can count and slice like a queryset.

    Counting uses the ids alone; only the slice the paginator asks for (20 by default)
    is read as pages, so a query matching hundreds of pages costs what one page does.
    """

    def __init__(self, outcome: service.SearchOutcome, queryset):
        self.outcome = outcome
        self.queryset = queryset
        self.ids = service.visible_ids(outcome, queryset)

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            shown = service.SearchOutcome(self.outcome.query, self.ids[index])
            return service.ranked_pages(shown, self.queryset)
        return service.ranked_pages(
            service.SearchOutcome(self.outcome.query, [self.ids[index]]), self.queryset)[0]


class JapaneseSearchFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if "order" in request.GET:
            raise BadRequestError("search results are in relevance order; remove 'order'")
        outcome = service.search(clean_search_input(request.GET["search"]))
        pages = RankedPages(outcome, queryset)
        if outcome.query and not pages:
            record_zero_result(outcome.query)
            # counted again when the answer is sent again (cms/sitesearch/responses.py)
            getattr(request, "_request", request).search_zero_result = outcome.query
        return pages


INTEGER_PARAMETERS = {"id", "child_of", "descendant_of", "ancestor_of", "translation_of",
                      "limit", "offset"}
SMALL_INTEGER = re.compile(r"-?[0-9]{1,18}")  # fits a database integer everywhere


class RefuseJunkParameters:
    """Junk in the query string is a 400 before any filter runs: control characters (NUL:
    PostgreSQL cannot compare text containing it) and ids that are not database integers
    (Wagtail's `find/?id=` would raise, SQLite overflows on 20 digits)."""

    def initial(self, request, *args, **kwargs):
        for key, values in request.GET.lists():
            if any(clean_search_input(v) != v[:MAX_RAW_QUERY] for v in [key, *values]):
                raise BadRequestError(f"query parameter {clean_search_input(key)!r} "
                                      "contains control characters")
            if key in INTEGER_PARAMETERS and not all(
                    SMALL_INTEGER.fullmatch(v) or v == "root" for v in values):
                raise BadRequestError(f"{key} must be an integer")
        return super().initial(request, *args, **kwargs)


class SitePagesAPIViewSet(RefuseJunkParameters, PagesAPIViewSet):
    filter_backends = [
        JapaneseSearchFilter if backend is SearchFilter else backend
        for backend in PagesAPIViewSet.filter_backends
    ]

    def get_base_queryset(self):
        # Wagtail asks for the public pages three times a request (queryset, filters,
        # serializer context), each reading the view restrictions and the site again.
        # A viewset lives for one request, so the answer is kept for that request.
        if not hasattr(self, "_public_pages"):
            self._public_pages = super().get_base_queryset()
        return self._public_pages.all()


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", SitePagesAPIViewSet)
api_router.register_endpoint(
    "images", type("SiteImagesAPIViewSet", (RefuseJunkParameters, ImagesAPIViewSet), {}))
api_router.register_endpoint(
    "documents", type("SiteDocumentsAPIViewSet", (RefuseJunkParameters, DocumentsAPIViewSet), {}))
