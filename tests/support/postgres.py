"""A throwaway PostgreSQL cluster from Debian's package, private to one test session.

initdb into a temp dir (as the `postgres` user when the tests run as root: initdb
refuses root), its own port, a unix socket in that dir and no TCP listener, fsync off:
nothing survives the session, so durability would only cost time. Used by the CKAN
tests and by the hub's PostgreSQL run (tests/support/stack.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from tests.support.hub import free_port

# Durability is worthless for a cluster that is deleted after the session.
FAST_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200")


def pg_bin_dir() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def runuser() -> str:
    """util-linux's runuser lives in /usr/sbin, which a plain user PATH often lacks."""
    found = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None)
    if found is None:
        raise RuntimeError("runuser (util-linux) is needed to run initdb as postgres")
    return found


class PrivatePostgres:
    """A PostgreSQL cluster reachable only through its own unix socket."""

    def __init__(self, prefix: str = "hub-pg-") -> None:
        self.bin = pg_bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (scripts/ensure-apt postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, *cmd: str, **kwargs) -> subprocess.CompletedProcess:
        if self.as_postgres:
            cmd = (runuser(), "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> PrivatePostgres:
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses='' {FAST_OPTIONS}"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.dir / "postgres.log"), "-w", "start")
        return self

    def sql(self, statement: str, database: str = "postgres") -> str:
        return self._run(str(self.bin / "psql"), "-h", str(self.dir), "-p", str(self.port),
                         "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt",
                         "-c", statement).stdout

    def create_database(self, name: str, owner: str, template: str | None = None,
                        createdb: bool = False) -> str:
        """Create `owner` (once) and database `name`; returns its URL."""
        if not self.sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{owner}'").strip():
            self.sql(f"CREATE ROLE {owner} LOGIN" + (" CREATEDB" if createdb else ""))
        self.sql(f"CREATE DATABASE {name} OWNER {owner} ENCODING 'UTF8'"
                 + (f" TEMPLATE {template}" if template else ""))
        return self.url(name, owner)

    def url(self, database: str, user: str) -> str:
        return f"postgres://{user}@{quote(str(self.dir), safe='')}:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
