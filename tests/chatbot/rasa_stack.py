"""Run the real Rasa assistant (Rasa server + action server) for tests and benches.

Both processes run from chatbot/ in its own Python 3.10 venv, on free 127.0.0.1
ports, with the trained model chatbot/models/chuo.tar.gz (`make chatbot-model`).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import requests

from tests.support.hub import free_port, stop_processes

REPO = Path(__file__).resolve().parents[2]
CHATBOT = REPO / "chatbot"
RASA = CHATBOT / ".venv" / "bin" / "rasa"
MODEL = CHATBOT / "models" / "chuo.tar.gz"


def venv_present() -> bool:
    return RASA.exists()


def ensure_model() -> None:
    """Train the model if there is none (`make test` trains it before pytest already).

    An existing model is used as it is: retraining from inside a test would re-export
    the training data from the developer's database.
    """
    if not MODEL.exists():
        subprocess.run(["make", "--no-print-directory", "chatbot-model"], cwd=REPO, check=True)


class RasaStack:
    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.port = free_port()
        self.actions_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.logs: list = []
        self.env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1",
            "ACTIONS_PORT": str(self.actions_port),
            "PYTHONWARNINGS": "ignore",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }

    def _spawn(self, name: str, args: list[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.logs.append(log)
        self.procs.append(subprocess.Popen(args, cwd=CHATBOT, env=self.env, stdout=log,
                                           stderr=subprocess.STDOUT))

    def start(self, timeout: float = 240.0) -> RasaStack:
        self._spawn("actions", [str(CHATBOT / ".venv/bin/python"), "-m", "rasa_sdk",
                                "--actions", "actions", "--port", str(self.actions_port)])
        self._spawn("rasa", [str(RASA), "run", "--enable-api", "-i", "127.0.0.1",
                             "-p", str(self.port), "-m", str(MODEL),
                             "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"Rasa stopped early; see {self.log_dir}")
            try:
                rasa_ok = requests.get(f"{self.url}/status", timeout=2).status_code == 200
                actions_ok = requests.get(
                    f"http://127.0.0.1:{self.actions_port}/health", timeout=2
                ).ok
                if rasa_ok and actions_ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(1)
        self.stop()
        raise TimeoutError(f"Rasa did not start within {timeout}s; see {self.log_dir}")

    def stop(self) -> None:
        stop_processes(self.procs, timeout=15)
        for log in self.logs:
            log.close()
        self.procs, self.logs = [], []

    def __enter__(self) -> RasaStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
