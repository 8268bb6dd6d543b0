"""The production path in real processes: the feed server -> `watch_jma_feeds --once` (its
own process) -> a `db_worker` -> the LINE API and push service. A drill and the real
warning arrive together: residents get the warning once, and nothing of the drill."""

from __future__ import annotations

import time

import pytest

from notifier.vocabulary import TOPIC_BITS
from tests.notifier.fanout_env import FanoutEnv
from tests.notifier.servers import LineApi, PushService

from .feed_server import JmaFeed

pytestmark = pytest.mark.slow


def test_watcher_and_worker_processes_deliver_the_warning_once_and_no_drill(tmp_path):
    with PushService() as push, LineApi() as line:
        feed = JmaFeed()
        env = FanoutEnv(tmp_path, push, line, HUB_TEST_JMA_FEED_URLS=f"{feed.url}/feed.xml")
        try:
            env.migrate()
            line_ids, endpoints = env.add_subscribers(40, 0.5, TOPIC_BITS["bosai"])
            feed.add("d1", "津波警報・注意報・予報a", "vtse41_drill_tokyo_bay_warning.xml")
            feed.add("w1", "気象特別警報・警報・注意報", "vpww53_tokyo_chuo_storm_warning.xml")
            env.start_worker()
            out = env.hub.manage("watch_jma_feeds", "--once", "--no-sweep").stdout
            assert "訓練・試験" in out and "新しい情報を配信" in out
            [(notice_id,)] = env.hub.query("SELECT notice_id FROM alerts_alert")
            env.wait_all_sent(notice_id, 40, timeout=240)
            time.sleep(1.0)  # anything extra would show up now
            assert sorted(line.message_counts().values()) == [1] * 20
            assert sorted(push.message_counts().values()) == [1] * 20
            [text] = line.messages(line_ids[0])
            assert "暴風警報" in text["text"] and "津波" not in text["text"]
            states = env.hub.query("SELECT state FROM alerts_telegram ORDER BY id")
            assert [s for (s,) in states] == ["drill", "processed"]
        finally:
            env.stop()
            feed.close()
