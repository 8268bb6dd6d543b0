"""Bench: from a JMA telegram appearing in the feed to the first and the last delivery,
for 220,000 `bosai` subscribers (60% LINE, 40% Web Push), with JMA_POLL_SECONDS 30 and 5.

The whole production path in real processes: a JMA-like Atom feed on 127.0.0.1 (ETag /
Last-Modified, the real telegrams of tests/alerts/jma/), `watch_jma_feeds` polling it,
two `db_worker` processes, the LINE API and Web Push service of the tests (the push
service decrypts 1 message in 50, see bench/notify_fanout.py).
The entry appears at a random moment of the poll interval, as a real telegram does.

Targets: first delivery ≤ poll interval + 2 s; last delivery ≤ poll interval + 60 s.

    uv run python bench/alert_latency.py [--subscribers 220000] [--polls 30,5] [--workers 2]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notifier.vocabulary import TOPIC_BITS  # noqa: E402
from tests.alerts.feed_server import JmaFeed  # noqa: E402
from tests.notifier.fanout_env import FanoutEnv  # noqa: E402
from tests.notifier.servers import LineApi, PushService  # noqa: E402
from tests.support.hub import REPO, stop_processes  # noqa: E402

# one real telegram per round (a new event each time, all at 警報 level: urgent)
ROUNDS = [("津波警報・注意報・予報a", "vtse41_tokyo_bay_warning.xml"),
          ("気象特別警報・警報・注意報", "vpww53_tokyo_chuo_storm_warning.xml"),
          ("気象警報・注意報（Ｒ０６）（大雨）", "vpww55_2026_chuo_danger_warning.xml")]


def stamp(value) -> float:  # SQLite gives text, PostgreSQL a datetime
    return (value if isinstance(value, datetime) else datetime.fromisoformat(value)).timestamp()


def one_round(env: FanoutEnv, feed: JmaFeed, poll: float, n: int, title: str, name: str,
              total: int, timeout: float) -> dict[str, float]:
    log = open(env.var_dir / f"watcher-{n}.log", "ab")  # noqa: SIM115
    watcher = subprocess.Popen(
        [sys.executable, "manage.py", "watch_jma_feeds", "--interval", str(poll)],
        cwd=REPO, env=env.hub.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        polled = feed.hits.get("/feed.xml", 0)
        while feed.hits.get("/feed.xml", 0) <= polled:  # the watcher is up and polling
            assert watcher.poll() is None, "the watcher stopped"
            time.sleep(0.05)
        time.sleep(random.uniform(0, poll))  # then any moment of the interval
        for server in (env.line, env.push):
            server.first_at = server.last_at = None
        appeared_wall, appeared = time.time(), time.monotonic()
        feed.add(f"bench-{n}", title, name)
        deadline = appeared + timeout
        notice_id = None
        while notice_id is None:
            assert time.monotonic() < deadline, "the telegram was never queued"
            rows = env.hub.query("SELECT notice_id FROM alerts_alert WHERE notice_id IS NOT NULL "
                                 "ORDER BY id DESC")
            if len(rows) >= n + 1:
                notice_id = rows[0][0]
            time.sleep(0.1)
        env.wait_all_sent(notice_id, total, timeout)
        [(received, queued)] = env.hub.query(
            "SELECT received_at, queued_at FROM alerts_telegram WHERE entry_id LIKE %s",
            (f"%bench-{n}",))
        first = min(t for t in (env.line.first_at, env.push.first_at) if t) - appeared
        last = max(t for t in (env.line.last_at, env.push.last_at) if t) - appeared
        return {"seen": stamp(received) - appeared_wall, "queued": stamp(queued) - appeared_wall,
                "first": first, "last": last}
    finally:
        stop_processes([watcher])
        log.close()


def wait_for_workers(env: FanoutEnv, count: int, timeout: float = 300) -> None:
    """Workers up and idle, as in production: a notice for nobody, its tasks run."""
    env.send_notice("--topics", "event", "--title", "warm-up", "--body", "warm-up")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [(done,)] = env.hub.query("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                                  "WHERE status = 'SUCCESSFUL'")
        if done >= count:
            return
        time.sleep(0.2)
    raise TimeoutError("the workers did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=220_000)
    parser.add_argument("--line-share", type=float, default=0.6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--polls", default="30,5")
    parser.add_argument("--decrypt-every", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    polls = [float(p) for p in args.polls.split(",")]

    with tempfile.TemporaryDirectory(prefix="alert-bench-") as tmp, \
            PushService(decrypt_every=args.decrypt_every) as push, LineApi() as line:
        feed = JmaFeed()
        env = FanoutEnv(Path(tmp), push, line, HUB_TEST_JMA_FEED_URLS=f"{feed.url}/feed.xml",
                        NOTIFIER_PARALLEL_TASKS=str(max(4, args.workers * 2)))
        try:
            env.migrate()
            env.hub.manage("load_content", "-v0")  # the site whose emergency layout switches
            env.add_subscribers(args.subscribers, args.line_share, TOPIC_BITS["bosai"])
            print(f"subscribers: {args.subscribers} bosai ({args.line_share:.0%} LINE), "
                  f"workers: {args.workers} (the load average is printed at the end)")
            for _ in range(args.workers):
                env.start_worker()
            wait_for_workers(env, args.workers)
            for n, poll in enumerate(polls):
                title, name = ROUNDS[n % len(ROUNDS)]
                r = one_round(env, feed, poll, n, title, name, args.subscribers, args.timeout)
                print(f"JMA_POLL_SECONDS {poll:g} ({name}): seen by the watcher {r['seen']:.1f} s, "
                      f"queued {r['queued']:.1f} s, first delivery {r['first']:.1f} s "
                      f"(target ≤ {poll + 2:g} s), last delivery {r['last']:.1f} s "
                      f"(target ≤ {poll + 60:g} s) after the entry appeared")
            print(f"feed: {feed.not_modified} polls answered 304 Not Modified; load average "
                  f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
        finally:
            env.stop()
            feed.close()


if __name__ == "__main__":
    main()
