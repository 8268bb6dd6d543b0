"""Pages per second and p95 latency of the home and a topic page under concurrency,
served by a real gunicorn hub (tests.support.hub.HubProcess) on 127.0.0.1.

    uv run python bench/site_load.py [--requests 600] [--concurrency 8] [--workers 2]

Runs on its own throwaway database; traffic goes to the loopback address only and the
run is bounded by --requests (and a 120 s cap).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.hub import HubProcess  # noqa: E402

PAGES = {"home": "/", "topic": "/kurashi/juminhyo/", "search": "/search/?q=粗大ごみ"}
TIME_CAP = 120.0


def hammer(url: str | list[str], total: int, concurrency: int) -> tuple[float, list[float], int]:
    """`total` GETs from `concurrency` clients (a list of URLs is taken in turn)."""
    urls = [url] if isinstance(url, str) else url
    local = threading.local()
    deadline = time.monotonic() + TIME_CAP

    def one(i: int) -> tuple[float, int]:
        if time.monotonic() > deadline:
            return 0.0, 0
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        start = time.perf_counter()
        response = session.get(urls[i % len(urls)], timeout=30)
        return (time.perf_counter() - start) * 1000, response.status_code

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(total)))
    elapsed = time.perf_counter() - start
    timings = sorted(ms for ms, status in results if status)
    errors = sum(1 for _ms, status in results if status and status != 200)
    return elapsed, timings, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="bench-site-"))
    print(f"starting a hub (gunicorn, {args.workers} workers x 4 threads) in {var} ...")
    with HubProcess(var, workers=args.workers, env={"LOG_LEVEL": "WARNING"}) as hub:
        for path in PAGES.values():  # warm the page cache and the search index
            requests.get(hub.url + path, timeout=30)
        size = {name: len(requests.get(hub.url + p, timeout=30).content)
                for name, p in PAGES.items()}
        print(f"{args.requests} requests per page, concurrency {args.concurrency}")
        for name, path in PAGES.items():
            elapsed, timings, errors = hammer(hub.url + path, args.requests, args.concurrency)
            p50 = statistics.median(timings)
            p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
            print(f"{name:7s} {path:22s} {len(timings) / elapsed:7.1f} req/s  "
                  f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  errors {errors}  "
                  f"html {size[name] / 1024:.1f} KiB")
        css = requests.get(hub.url + "/static/css/site.css", timeout=10)
        print(f"static css: {css.status_code}, {len(css.content) / 1024:.1f} KiB, "
              f"cache-control: {css.headers.get('Cache-Control')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
