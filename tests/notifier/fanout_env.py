"""A hub database with many subscribers and real `db_worker` processes, for the crash
test and bench/notify_fanout.py. Subscribers are written straight into the SQLite file
(the fast way to make 220,000 of them; SQLite or, in the PostgreSQL run, PostgreSQL);
everything else goes through manage.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.hub import REPO, HubProcess, stop_processes

from .servers import LineApi, PushService, b64url, line_user_id


class FanoutEnv:
    def __init__(self, var_dir: Path, push: PushService, line: LineApi, **env: str):
        self.var_dir = Path(var_dir)
        self.hub = HubProcess(self.var_dir, env={
            "HUB_TASKS_BACKEND": "db",
            "WEBPUSH_ALLOW_LOOPBACK": "1",
            "LINE_API_BASE": line.origin,
            "LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
            "LINE_CHANNEL_SECRET": "fanout-secret",
            "LOG_LEVEL": "WARNING",
            **env,
        })
        self.push, self.line = push, line
        self.workers: list[subprocess.Popen] = []

    def migrate(self) -> None:
        self.hub.manage("migrate", "--no-input", "-v0")

    def add_subscribers(self, count: int, line_share: float, topic_mask: int, area_mask: int = 0,
                        start: int = 0, key_pool: int = 32) -> tuple[list[str], list[str]]:
        """Returns (LINE user ids, push endpoints). Browsers share a few key pairs: the
        worker's cost per message (ephemeral ECDH + AES-GCM) is the same either way."""
        keys = []
        for _ in range(key_pool):
            private = ec.generate_private_key(ec.SECP256R1())
            auth = os.urandom(16)
            public = private.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint)
            keys.append((private, auth, b64url(public), b64url(auth)))
        n_line = int(count * line_share)
        rows, line_ids, endpoints = [], [], []
        now = "2026-01-01 00:00:00"
        for i in range(start, start + count):
            if i - start < n_line:
                uid = line_user_id(i + 1)
                line_ids.append(uid)
                rows.append(("line", uid, None, "", "", topic_mask, area_mask, "ja", now, now))
            else:
                sub_id = f"s{i}"
                private, auth, p256dh, auth_b64 = keys[i % key_pool]
                with self.push.lock:
                    self.push.keys[sub_id] = (private, auth)
                endpoint = f"{self.push.origin}/push/{sub_id}"
                endpoints.append(endpoint)
                rows.append(("webpush", None, endpoint, p256dh, auth_b64, topic_mask, area_mask,
                             "ja", now, now))
        self.hub.query(
            "INSERT INTO notifier_subscriber (channel, line_user_id, endpoint, p256dh, auth, "
            "topic_mask, area_mask, lang, created_at, updated_at) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            rows, many=True,
        )
        return line_ids, endpoints

    def send_notice(self, *args: str) -> dict[str, int]:
        out = self.hub.manage("send_notice", *args).stdout
        result = {}
        for line in out.splitlines():
            key, _, value = line.partition(" ") if line.startswith("notice") else line.partition(": ")
            result[key.strip()] = int(value)
        return result

    def start_worker(self, *extra: str) -> subprocess.Popen:
        log = open(self.var_dir / f"worker{len(self.workers)}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2",
             "--no-startup-delay", "--no-reload", *extra],
            cwd=REPO, env=self.hub.env, stdout=log, stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        return proc

    def start_sweeper(self, every: float = 1.0) -> subprocess.Popen:
        log = open(self.var_dir / "sweeper.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "manage.py", "sweep_deliveries", "--every", str(every)],
                                cwd=REPO, env=self.hub.env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        return proc

    def status_counts(self, notice_id: int) -> dict[str, int]:
        rows = self.hub.query("SELECT status, COUNT(*) FROM notifier_delivery WHERE notice_id=%s "
                              "GROUP BY status", (notice_id,))
        return dict(rows)

    def batch_status_counts(self, notice_id: int) -> dict[str, int]:
        rows = self.hub.query("SELECT status, COUNT(*) FROM notifier_linebatch WHERE notice_id=%s "
                              "GROUP BY status", (notice_id,))
        return dict(rows)

    def max_attempts(self, notice_id: int) -> int:
        rows = self.hub.query("SELECT MAX(attempts) FROM notifier_delivery WHERE notice_id=%s",
                              (notice_id,))
        return rows[0][0]

    def wait_all_sent(self, notice_id: int, total: int, timeout: float) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.status_counts(notice_id).get("sent", 0) == total:
                return time.monotonic() - start
            time.sleep(0.25)
        raise AssertionError(f"not all sent after {timeout}s: {self.status_counts(notice_id)}")

    def stop(self) -> None:
        stop_processes(self.workers)
