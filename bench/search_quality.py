"""Search quality and speed: hit rate (top-1, top-3) of the rated queries and
p50/p95 latency of a search, through the same service the /search/ page and the API use.

    uv run python bench/search_quality.py            # uses var/hub.sqlite3 (loads content if empty)
    uv run python bench/search_quality.py --misses   # also list the queries that missed

It runs against a throwaway copy of the seed content (its own var dir), so it never
touches the developer's database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RATED = REPO / "tests" / "site" / "rated_queries.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list queries not in the top 3")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over all queries")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="bench-search-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["HUB_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'hub.sqlite3'}"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)
    if os.environ.get("SITESEARCH_ELASTICSEARCH_URL"):
        # Score the rated queries on a real cluster: index these pages there first.
        from cms.sitesearch.documents import rebuild

        print(f"residents' index on {os.environ['SITESEARCH_ELASTICSEARCH_URL']}: "
              f"{rebuild()} pages")

    import yaml
    from wagtail.models import Page

    from cms.sitesearch import service

    rated = yaml.safe_load(RATED.read_text(encoding="utf-8"))["queries"]
    slugs = dict(Page.objects.values_list("pk", "slug"))
    top1 = top3 = total = 0
    misses: list[str] = []
    for expected, queries in rated.items():
        for q in queries:
            ranked = [slugs[pk] for pk in service.search(q).page_ids[:3]]
            total += 1
            top1 += bool(ranked) and ranked[0] == expected
            top3 += expected in ranked
            if expected not in ranked:
                misses.append(f"  {q!r}: expected {expected}, got {ranked}")
    timings: list[float] = []
    all_queries = [q for qs in rated.values() for q in qs]
    for _ in range(args.repeat):
        for q in all_queries:
            start = time.perf_counter()
            service.search(q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"rated queries: {total} over {len(rated)} pages")
    print(f"top-1 hit rate: {top1 / total:.1%} ({top1}/{total})")
    print(f"top-3 hit rate: {top3 / total:.1%} ({top3}/{total})")
    print(f"search latency (service, in process): p50 {p50:.2f} ms, p95 {p95:.2f} ms "
          f"over {len(timings)} searches")
    if args.misses and misses:
        print("misses:")
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
