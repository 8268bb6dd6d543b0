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


def questions_without_an_answer() -> list[str]:
    return yaml.safe_load(RATED.read_text(encoding="utf-8"))["no_good_answer"]


def test_rated_queries_cover_every_resident_question_several_ways():
    from cms.core.taxonomy import faq_keys

    rated = rated_queries()
    assert set(rated) == set(faq_keys())
    assert all(len(queries) >= 5 for queries in rated.values())
    assert sum(len(queries) for queries in rated.values()) >= 219 + 60


def test_questions_the_site_cannot_answer_find_nothing_misleading(client):
    slugs = dict(Page.objects.values_list("pk", "slug"))
    found = {q: [slugs[pk] for pk in service.search(q).page_ids[:3]]
             for q in questions_without_an_answer()}
    assert {q: top for q, top in found.items() if top} == {}
    html = client.get("/search/", {"q": "宇宙旅行 申し込み"}).content.decode()
    assert "お探しの情報が見つかりませんでした" in html


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
