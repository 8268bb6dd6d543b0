"""pytest plugin: run the whole suite on the production stack, PostgreSQL + Redis.

    HUB_TEST_STACK=postgres uv run pytest [args]     # any test file or the whole suite

Without the variable (or with HUB_TEST_STACK=sqlite) nothing changes: SQLite in memory
and local caches. With it, before Django reads its settings, the session starts

- a private PostgreSQL cluster (tests/support/postgres.py) and points DATABASE_URL at it;
  Django's test database is cloned from a migrated template, and so is the database
  of every hub a test starts in a subprocess (tests/support/hub.py), so migrations run
  once per session;
- Debian's redis-server on a private port and points REDIS_URL at it: the page cache
  and the chat rate limits then live in Redis, as in production. Each subprocess hub
  gets a Redis database number of its own.

Both are stopped when the session ends. Loaded by `-p tests.support.stack` (pyproject).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile

import pytest

STACKS = ("sqlite", "postgres")
TEMPLATE = "hub_template"


class Stack:
    def __init__(self) -> None:
        from tests.support.postgres import PrivatePostgres
        from tests.support.redis_server import PrivateRedis

        self.pg = PrivatePostgres()
        self.redis = PrivateRedis()
        self._hub_numbers = itertools.count(1)

    def start(self) -> Stack:
        try:
            self.pg.start()
            self.redis.start()
            self.pg.create_database("hub", owner="hub", createdb=True)
            self._migrate_template()
        except BaseException:
            self.stop()
            raise
        return self

    def _migrate_template(self) -> None:
        """Migrations once, into a template that every test database is cloned from."""
        url = self.pg.create_database(TEMPLATE, owner="hub")
        with tempfile.TemporaryDirectory(prefix="hub-template-") as var_dir:
            env = {**os.environ, "DATABASE_URL": url, "HUB_VAR_DIR": var_dir,
                   "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
            env.pop("REDIS_URL", None)
            run = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
                                 cwd=_repo(), env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"migrating the PostgreSQL template failed:\n{run.stderr}")

    def environ(self) -> dict[str, str]:
        """The main pytest process's database and cache."""
        return {"DATABASE_URL": self.pg.url("hub", "hub"), "REDIS_URL": self.redis.url(0),
                "HUB_TEST_DB_TEMPLATE": TEMPLATE}

    def hub_environ(self) -> dict[str, str]:
        """A fresh, migrated database and a Redis database of its own for a subprocess hub."""
        number = next(self._hub_numbers)
        url = self.pg.create_database(f"hub_{number}", owner="hub", template=TEMPLATE)
        return {"DATABASE_URL": url, "REDIS_URL": self.redis.url(number % 63 + 1)}

    def stop(self) -> None:
        self.redis.stop()
        self.pg.stop()


_stack: Stack | None = None


def current() -> Stack | None:
    """The running PostgreSQL + Redis stack of this session, or None on SQLite."""
    return _stack


def _repo() -> str:
    from tests.support.hub import REPO

    return str(REPO)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args) -> None:
    # tryfirst: before pytest-django reads the settings in its own hook of this name.
    global _stack
    name = os.environ.get("HUB_TEST_STACK", "sqlite").strip().lower() or "sqlite"
    if name not in STACKS:
        raise pytest.UsageError(f"HUB_TEST_STACK={name!r}: use one of {', '.join(STACKS)}")
    if name == "sqlite" or _stack is not None:
        return
    _stack = Stack().start()
    os.environ.update(_stack.environ())
    early_config.add_cleanup(_stop)


def _stop() -> None:
    global _stack
    if _stack is not None:
        _stack.stop()
        _stack = None


def pytest_report_header(config) -> str:
    if _stack is None:
        return "hub stack: SQLite (set HUB_TEST_STACK=postgres for PostgreSQL + Redis)"
    version = _stack.pg.sql("SHOW server_version").strip()
    return (f"hub stack: PostgreSQL {version} (socket {_stack.pg.dir}, port {_stack.pg.port}), "
            f"Redis on 127.0.0.1:{_stack.redis.port}")
