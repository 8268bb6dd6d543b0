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


def _wait(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


CRASH_ENV = {"NOTIFIER_SENDING_LEASE_SECONDS": "3", "NOTIFIER_RETRY_BASE_SECONDS": "1",
             "NOTIFIER_MAX_ATTEMPTS": "3"}


def test_sigkill_during_a_line_multicast_sends_each_friend_one_message(tmp_path):
    """The worker dies while LINE holds its request: the retry carries the stored key, LINE
    answers 409, nobody gets two messages and the batch is not tried past the cap."""
    with PushService() as push, LineApi() as line:
        env = FanoutEnv(tmp_path, push, line, **CRASH_ENV)
        try:
            env.migrate()
            line_ids, _ = env.add_subscribers(1200, 1.0, vocabulary.TOPIC_BITS["bosai"])
            line.delay = 2.0  # each multicast is accepted 2 s after it arrives
            counts = env.send_notice("--topics", "bosai", "--title", "大雨警報", "--body", "警戒を")
            worker = env.start_worker()
            _wait(lambda: env.batch_status_counts(counts["notice"]).get("sending"), "a batch in flight")
            time.sleep(0.5)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            env.start_worker()
            env.start_sweeper(every=1.0)
            env.wait_all_sent(counts["notice"], 1200, timeout=300)
            time.sleep(1.0)
            line_counts = line.message_counts()
            assert [u for u in line_ids if line_counts.get(u) != 1] == []
            assert 409 in {s for _, s in line.attempts}  # the killed request was recognised
            assert env.max_attempts(counts["notice"]) <= 3
        finally:
            env.stop()


def test_sigkill_during_a_push_chunk_shows_each_browser_one_notification(tmp_path):
    """The worker dies in the middle of a chunk: the sweeper resends what it held, with the
    same Topic, so each browser's push service holds one message for the notice."""
    with PushService() as push, LineApi() as line:
        env = FanoutEnv(tmp_path, push, line, NOTIFIER_WEBPUSH_CHUNK="200", WEBPUSH_THREADS="4",
                        **CRASH_ENV)
        try:
            env.migrate()
            _, endpoints = env.add_subscribers(600, 0.0, vocabulary.TOPIC_BITS["bosai"])
            push.delay = 0.05  # 4 threads × 20 pushes/s: a chunk takes 2.5 s
            counts = env.send_notice("--topics", "bosai", "--title", "大雨警報", "--body", "警戒を")
            worker = env.start_worker()
            _wait(lambda: push.received >= 60, "a chunk in flight")
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            at_kill = env.status_counts(counts["notice"])
            assert at_kill.get("sending"), at_kill  # really in the middle of a chunk
            push.delay = 0.0
            env.start_worker()
            env.start_sweeper(every=1.0)
            env.wait_all_sent(counts["notice"], 600, timeout=300)
            time.sleep(1.0)
            push_counts = push.message_counts()
            assert [e for e in endpoints if push_counts.get(e.rsplit("/", 1)[1]) != 1] == []
            assert push.replaced > 0  # resent copies replaced the first ones (Topic)
            assert push.errors == []
            assert env.max_attempts(counts["notice"]) <= 3
        finally:
            env.stop()
