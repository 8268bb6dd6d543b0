"""Run the real hub in a subprocess for browser and end-to-end tests.

Each HubProcess gets its own var/ directory (database, VAPID keys, secret) so tests
never touch the developer's data, and may pass environment overrides (e.g. point
LINE_API_BASE at a local test server). In the PostgreSQL run (tests/support/stack.py)
its database is a fresh one on the session's cluster and its cache a Redis database of
its own; `query()` reads or writes that database whichever engine it is.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException as exc:
            last = exc
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last}")


def stop_processes(procs, timeout: float = 10.0) -> None:
    """Ask every process to stop (SIGTERM) and wait; kill those that do not in time."""
    procs = [p for p in procs if p is not None]
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class HubProcess:
    def __init__(self, var_dir: Path, env: dict[str, str] | None = None, load_content: bool = True,
                 settings: str = "cms.settings.test", workers: int = 2):
        from tests.support import stack

        self.var_dir = Path(var_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        on_stack = stack.current()
        database = (on_stack.hub_environ() if on_stack else
                    {"DATABASE_URL": f"sqlite:///{self.var_dir / 'hub.sqlite3'}"})
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "HUB_VAR_DIR": str(self.var_dir),
            **database,
            "HUB_PORT": str(self.port),
            "HUB_BASE_URL": self.url,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.load_content = load_content
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def query(self, sql: str, params: tuple | list = (), many: bool = False) -> list[tuple]:
        """Run one statement (`%s` placeholders) on this hub's database; returns the rows."""
        if self.database_url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(self.database_url.removeprefix("sqlite:///"), timeout=30) as db:
                sql = sql.replace("%s", "?")
                cursor = db.executemany(sql, params) if many else db.execute(sql, params)
                return cursor.fetchall()
        import dj_database_url
        import psycopg

        conf = dj_database_url.parse(self.database_url)
        with psycopg.connect(dbname=conf["NAME"], user=conf["USER"], host=conf["HOST"],
                             port=conf["PORT"]) as db, db.cursor() as cursor:
            if many:
                cursor.executemany(sql, params)
                return []
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env,
                              check=check, capture_output=True, text=True)

    def start(self) -> HubProcess:
        self.manage("migrate", "--no-input", "-v0")
        if self.load_content:
            self.manage("load_content", "-v0")
        log = open(self.var_dir / "web.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", "4", "--timeout", "60"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        self._log = log
        wait_for_http(f"{self.url}/healthz")
        return self

    def stop(self) -> None:
        stop_processes([self.proc])
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> HubProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
