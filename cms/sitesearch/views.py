"""/search/?q= — the results page residents see (same ranking as the API)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from cms.core import furigana

from . import service
from .models import ZeroResultQuery

PER_PAGE = 20


def search_page(request):
    outcome = service.search(request.GET.get("q"))
    pages = service.ranked_pages(outcome)
    if outcome.query and not pages:
        ZeroResultQuery.record(outcome.query)
    paginator = Paginator(pages, PER_PAGE)
    results = paginator.get_page(request.GET.get("page"))
    response = TemplateResponse(request, "sitesearch/search_results.html", {
        "search_query": outcome.query,
        "results": results,
        "result_count": len(pages),
        "promoted_ids": set(outcome.promoted_ids),
        "expanded_with": outcome.expanded_with,
    })
    return furigana.apply(request, response.render())
