"""A real CKAN 2.12 for the integration tests, on 127.0.0.1, with everything private.

- PostgreSQL from Debian in its own cluster (tests/support/postgres.py: initdb into a
  temp dir, own port, unix socket in that dir, fsync off).
- The Solr stand-in (solr_standin.py) answering on solr_url.
- CKAN from var/ckan-venv (`make opendata-ckan-setup`), configured by `ckan config-tool`,
  `ckan db init`, a sysadmin with an API token, served by `ckan run`.
Redis is not needed for what the tests do: CKAN only logs that it is missing.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.support.hub import REPO, free_port, stop_processes, wait_for_http
from tests.support.postgres import PrivatePostgres, pg_bin_dir

CKAN_VENV = Path(os.environ.get("CKAN_VENV", REPO / "var" / "ckan-venv"))
CKAN_BIN = CKAN_VENV / "bin" / "ckan"


def missing_prerequisites() -> str | None:
    if not CKAN_BIN.exists():
        return f"CKAN is not installed in {CKAN_VENV} (run `make opendata-ckan-setup`)"
    if pg_bin_dir() is None:
        return "PostgreSQL is not installed (run `make opendata-ckan-setup`)"
    return None


class CkanServer:
    def __init__(self, work_dir: Path, solr_url: str) -> None:
        self.work_dir = Path(work_dir)
        self.solr_url = solr_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ini = self.work_dir / "ckan.ini"
        self.storage = self.work_dir / "storage"
        self.db = PrivatePostgres(prefix="ckan-pg-")
        self.proc: subprocess.Popen | None = None
        self.api_key = ""

    def configure(self, options: dict[str, str]) -> None:
        """Set options in ckan.ini (`ckan config-tool` would need a working database first)."""
        lines = self.ini.read_text().splitlines()
        for key, value in options.items():
            for i, line in enumerate(lines):
                if re.match(rf"#?\s*{re.escape(key)}\s*=", line):
                    lines[i] = f"{key} = {value}"
                    break
            else:
                at = lines.index("[app:main]") + 1
                lines.insert(at, f"{key} = {value}")
        self.ini.write_text("\n".join(lines) + "\n")

    def ckan(self, *args: str) -> str:
        env = {**os.environ, "CKAN_INI": str(self.ini)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        run = subprocess.run([str(CKAN_BIN), "-c", str(self.ini), *args], cwd=self.work_dir,
                             env=env, capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            raise RuntimeError(f"ckan {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")
        return run.stdout

    def start(self) -> CkanServer:
        self.db.start()
        self.db.create_database("ckan", owner="ckan")
        self.storage.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(CKAN_BIN), "generate", "config", str(self.ini)], check=True,
                       capture_output=True, cwd=self.work_dir)
        self.configure({
            "sqlalchemy.url": f"postgresql://ckan@/ckan?host={self.db.dir}&port={self.db.port}",
            "solr_url": self.solr_url,
            "ckan.site_url": self.url,
            "ckan.storage_path": str(self.storage),
            "ckan.max_resource_size": "20",
            "ckan.plugins": "",
            "ckan.redis.url": "redis://127.0.0.1:9/0",
        })
        self.ckan("db", "init")
        self.ckan("user", "add", "publisher", "email=publisher@example.invalid",
                  "password=publisher-test-pass", "fullname=Publisher")
        self.ckan("sysadmin", "add", "publisher")
        self.api_key = self.ckan("user", "token", "add", "publisher", "hub").strip().splitlines()[-1].strip()
        log = open(self.work_dir / "ckan.log", "ab")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "CKAN_INI": str(self.ini)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.proc = subprocess.Popen(
            [str(CKAN_BIN), "-c", str(self.ini), "run", "--host", "127.0.0.1", "--port",
             str(self.port), "--disable-reloader", "--threaded"],
            cwd=self.work_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._log = log
        wait_for_http(f"{self.url}/api/3/action/status_show", timeout=120)
        return self

    def action(self, name: str, **data) -> dict:
        response = requests.post(f"{self.url}/api/3/action/{name}", json=data,
                                 headers={"Authorization": self.api_key}, timeout=30)
        body = response.json()
        if not body.get("success"):
            raise RuntimeError(f"{name}: {body.get('error')}")
        return body["result"]

    def log_text(self) -> str:
        path = self.work_dir / "ckan.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        stop_processes([self.proc])
        if getattr(self, "_log", None):
            self._log.close()
        self.db.stop()

    def __enter__(self) -> CkanServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # bring one up by hand: uv run python -m tests.opendata.ckan_server
    from tests.opendata.solr_standin import SolrStandIn

    with SolrStandIn() as solr, CkanServer(Path(tempfile.mkdtemp()), solr.url) as ckan:
        print(ckan.url, ckan.api_key, flush=True)
        while True:
            time.sleep(3600)
