"""/search/?q= — the results page residents see (same ranking as the API)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page

from cms.core import furigana

from . import service
from .query_input import clean_search_input, record_zero_result

PER_PAGE = 20


def search_page(request):
    outcome = service.search(clean_search_input(request.GET.get("q")))
    # Pages in a private section (password, login) are neither listed nor counted.
    outcome.page_ids = service.visible_ids(outcome, Page.objects.live().public())
    # Fetch just the ones shown on this results page.
    paginator = Paginator(outcome.page_ids, PER_PAGE)
    results = paginator.get_page(request.GET.get("page"))
    results.object_list = service.result_pages(list(results.object_list))
    if outcome.query and not outcome.page_ids:
        record_zero_result(outcome.query)
        request.search_zero_result = outcome.query  # counted again when sent again
    response = TemplateResponse(request, "sitesearch/search_results.html", {
        "search_query": outcome.query,
        "results": results,
        "result_count": len(outcome.page_ids),
        "promoted_ids": set(outcome.promoted_ids),
        "expanded_with": outcome.expanded_with,
    })
    return furigana.apply(request, response.render())
