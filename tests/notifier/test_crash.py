"""Crash safety: SIGKILL the worker in the middle of a fan-out to thousands of residents,
start it again: every matching resident ends with exactly one message."""

from __future__ import annotations

import signal
import time

import pytest

from notifier import vocabulary

from .fanout_env import FanoutEnv
from .servers import LineApi, PushService

pytestmark = pytest.mark.slow


def test_sigkill_mid_fanout_then_restart_delivers_exactly_once(tmp_path):
    with PushService() as push, LineApi() as line:
        env = FanoutEnv(tmp_path, push, line, NOTIFIER_SENDING_LEASE_SECONDS="3",
                        NOTIFIER_WEBPUSH_CHUNK="100", NOTIFIER_RETRY_BASE_SECONDS="1")
        try:
            env.migrate()
            gomi = vocabulary.TOPIC_BITS["gomi"]
            line_ids, endpoints = env.add_subscribers(5000, 0.6, gomi | vocabulary.TOPIC_BITS["bosai"])
            others_line, others_web = env.add_subscribers(
                600, 0.5, vocabulary.TOPIC_BITS["event"], start=100_000)  # must get nothing
            line.delay = 0.15  # LINE batches are in flight when the kill comes
            counts = env.send_notice("--topics", "gomi", "--title", "収集日の変更",
                                     "--body", "来週から変わります", "--url", "/gomi/")
            assert counts["line"] == 3000 and counts["webpush"] == 2000
            notice_id = counts["notice"]

            worker = env.start_worker()
            deadline = time.monotonic() + 60
            while push.received + len(line.accepted_keys) * 500 < 1200:
                assert time.monotonic() < deadline and worker.poll() is None
                time.sleep(0.02)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            at_kill = env.status_counts(notice_id)
            assert at_kill.get("sent", 0) < 5000, at_kill  # really in the middle

            env.start_worker()
            env.start_sweeper(every=1.0)
            # generous: under CI load the restarted worker needs ~20 s just to start Django
            env.wait_all_sent(notice_id, 5000, timeout=300)
            time.sleep(1.0)  # anything late would show up now

            line_counts = line.message_counts()
            assert [uid for uid in line_ids if line_counts.get(uid) != 1] == []
            assert not any(line_counts.get(uid) for uid in others_line)
            push_counts = push.message_counts()
            assert [e for e in endpoints if push_counts.get(e.rsplit("/", 1)[1]) != 1] == []
            assert not any(push_counts.get(e.rsplit("/", 1)[1]) for e in others_web)
            assert push.errors == []
            # LINE retries after the kill reuse the stored key: 409, never a second message
            retried = {k for k, s in line.attempts if s == 409}
            print(f"at kill: {at_kill}; web push copies replaced by Topic: {push.replaced}; "
                  f"LINE batches answered 409 on retry: {len(retried)}")
        finally:
            env.stop()
