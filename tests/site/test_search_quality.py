"""Site search puts the right page first for what residents type (rated queries)."""

from pathlib import Path

import pytest
import yaml
from wagtail.models import Page

from cms.sitesearch import service

pytestmark = pytest.mark.django_db
RATED = Path(__file__).with_name("rated_queries.yaml")


def rated_queries() -> dict[str, list[str]]:
    return yaml.safe_load(RATED.read_text(encoding="utf-8"))["queries"]


def test_rated_queries_cover_every_resident_question_several_ways():
    from cms.core.taxonomy import faq_keys

    rated = rated_queries()
    assert set(rated) == set(faq_keys())
    assert all(len(queries) >= 5 for queries in rated.values())


def test_top3_hit_rate_of_rated_queries_is_at_least_95_percent():
    slugs = dict(Page.objects.values_list("pk", "slug"))
    total = hits = 0
    misses = []
    for expected, queries in rated_queries().items():
        for query in queries:
            top3 = [slugs[pk] for pk in service.search(query).page_ids[:3]]
            total += 1
            if expected in top3:
                hits += 1
            else:
                misses.append(f"{query} → {top3} (expected {expected})")
    rate = hits / total
    assert rate >= 0.95, f"top-3 hit rate {rate:.1%}; misses:\n" + "\n".join(misses)
