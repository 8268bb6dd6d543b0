"""Bench: one notice to 220,000 residents (60% LINE, 40% Web Push) through real
`db_worker` processes against the local LINE API and push service of the tests.

Prints: time to enqueue (notice + one Delivery row each + LINE batches + tasks, i.e.
`send_notice`), time to the last delivery, deliveries/s per channel, peak RSS per worker.
Targets: all delivered ≤ 60 s, worker peak RSS ≤ 500 MB.

    uv run python bench/notify_fanout.py [--subscribers 220000] [--workers 2] [--decrypt-every 50]
        [--threads 16] [--chunk 250]

The test servers run in this process (one asyncio thread each) on the same 2 cores; the
push service parses and checks every request and decrypts every 50th (--decrypt-every).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notifier.vocabulary import TOPIC_BITS  # noqa: E402
from tests.notifier.fanout_env import FanoutEnv  # noqa: E402
from tests.notifier.servers import LineApi, PushService  # noqa: E402


def seconds(stamp: str | datetime) -> float:
    return (stamp if isinstance(stamp, datetime) else datetime.fromisoformat(stamp)).timestamp()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """CPU the process used (user + system): what the hub pays, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=220_000)
    parser.add_argument("--line-share", type=float, default=0.6)
    parser.add_argument("--workers", type=int, default=2)
    # The stand-in push service checks every request (path, VAPID JWT — verified once per
    # Authorization value, as the hub reuses it per audience —, TTL/Urgency/Topic,
    # Content-Encoding, size) but decrypts only every n-th body: decrypting costs it as
    # much CPU as encrypting costs the hub, and a real push service runs elsewhere.
    # --decrypt-every 1 decrypts every message (the tests do).
    parser.add_argument("--decrypt-every", type=int, default=50)
    parser.add_argument("--threads", type=int, default=None, help="WEBPUSH_THREADS per worker")
    parser.add_argument("--chunk", type=int, default=None, help="NOTIFIER_WEBPUSH_CHUNK")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="notify-bench-") as tmp, \
            PushService(decrypt_every=args.decrypt_every) as push, LineApi() as line:
        tuning = {"NOTIFIER_PARALLEL_TASKS": str(max(4, args.workers * 2))}
        if args.threads:
            tuning["WEBPUSH_THREADS"] = str(args.threads)
        if args.chunk:
            tuning["NOTIFIER_WEBPUSH_CHUNK"] = str(args.chunk)
        env = FanoutEnv(Path(tmp), push, line, **tuning)
        try:
            env.migrate()
            t = time.monotonic()
            env.add_subscribers(args.subscribers, args.line_share, TOPIC_BITS["bosai"])
            print(f"subscribers: {args.subscribers} ({args.line_share:.0%} LINE), "
                  f"written in {time.monotonic() - t:.1f} s")
            workers = [env.start_worker() for _ in range(args.workers)]
            time.sleep(2)  # workers up and idle, as in production
            start = time.monotonic()
            counts = env.send_notice("--topics", "bosai", "--title", "大雨警報（中央区）",
                                     "--body", "土砂災害や低い土地の浸水に警戒してください。",
                                     "--url", "/bosai/", "--severity", "urgent")
            command = time.monotonic() - start
            total = counts["line"] + counts["webpush"]
            env.wait_all_sent(counts["notice"], total, args.timeout)
            time.sleep(0.5)
            # measured on the database's own clock, from the notice's creation: the
            # send_notice process's Django start-up is not part of the fan-out
            [(created, planned, last)] = env.hub.query(
                "SELECT n.created_at, n.planned_at, MAX(d.sent_at) FROM notifier_notice n "
                "JOIN notifier_delivery d ON d.notice_id = n.id WHERE n.id = %s "
                "GROUP BY n.created_at, n.planned_at", (counts["notice"],))
            enqueued, done = seconds(planned) - seconds(created), seconds(last) - seconds(created)
            print(f"time to enqueue ({total} Delivery rows + LINE batches + tasks): {enqueued:.1f} s "
                  f"(send_notice command incl. Django start-up: {command:.1f} s)")
            print(f"time to last delivery: {done:.1f} s after the notice was created (target ≤ 60 s)")
            for name, server, n in (("LINE", line, counts["line"]), ("Web Push", push, counts["webpush"])):
                span = (server.last_at - server.first_at) if server.first_at else float("nan")
                print(f"{name}: {n} deliveries, {n / span:,.0f}/s while sending "
                      f"({n / done:,.0f}/s over the whole run)")
            print(f"workers: {args.workers}, WEBPUSH_THREADS {args.threads or 'default'}, "
                  f"NOTIFIER_WEBPUSH_CHUNK {args.chunk or 'default'}, push service decrypts 1 in "
                  f"{args.decrypt_every}; load average at the end: "
                  f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
            print(f"LINE multicast requests: {len(line.attempts)}; web push received: {push.received}, "
                  f"errors at the push service: {len(push.errors)}")
            for i, proc in enumerate(workers):
                print(f"worker {i} peak RSS: {peak_rss_mb(proc.pid):.0f} MB (target ≤ 500 MB), "
                      f"CPU {cpu_seconds(proc.pid):.1f} s")
        finally:
            env.stop()


if __name__ == "__main__":
    main()
