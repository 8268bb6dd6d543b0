"""The front door as a new user meets it: `make up` in a fresh copy of the project, with a
PATH that has no uv, on a machine without Python 3.10 (the finder is told to find none).
The site must come up without the assistant, say so, and leave nothing behind on Ctrl-C.
And the runner, when a process dies: it names the process and why, and exits non-zero."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from cms.core.taxonomy import ward
from tests.support.hub import REPO, free_port

PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin"


def plain_env(**extra: str) -> dict[str, str]:
    """A new user's environment: no uv, no venv, no Django settings on it."""
    return {"PATH": PLAIN_PATH, "HOME": os.environ["HOME"], "LANG": "C.UTF-8", **extra}


def processes_under(directory: Path) -> list[str]:
    """Processes whose working directory is inside `directory` (what `ps` would show)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = os.readlink(proc / "cwd")
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cwd == str(directory) or cwd.startswith(f"{directory}/"):
            found.append(f"{proc.name}: {cmdline.strip()}")
    return found


def fresh_copy(target: Path) -> Path:
    """The project's files as a clone has them (tracked and new, not ignored), with this
    checkout's hub venv (the hub's setup is not what is tested here; it is a no-op)."""
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO,
                           check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(REPO / ".venv")
    return target


def wait_for_line(log: Path, pattern: str, proc: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if re.search(pattern, text):
            return text
        assert proc.poll() is None, f"make up exited with {proc.returncode}:\n{text[-4000:]}"
        time.sleep(0.5)
    raise AssertionError(f"no {pattern!r} within {timeout}s:\n{log.read_text()[-4000:]}")


@pytest.mark.slow
def test_make_up_without_uv_on_path_or_python310_serves_the_site_without_the_assistant(tmp_path):
    clone = fresh_copy(tmp_path / "clone")
    port = free_port()
    env = plain_env(HUB_PORT=str(port), RASA_PORT=str(free_port()), ACTIONS_PORT=str(free_port()),
                    CHATBOT_PYTHON="none")
    log = tmp_path / "make-up.log"
    with log.open("wb") as out:
        make = subprocess.Popen(["make", "up"], cwd=clone, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        text = wait_for_line(log, rf"running on http://127\.0\.0\.1:{port}", make, timeout=900)
        site = f"http://127.0.0.1:{port}"
        # one message says how to get a Python 3.10; the hub says it starts without the assistant
        assert text.count("no Python 3.10 found") == 1 and "uv python install 3.10" in text
        assert "the assistant is not set up" in text
        health = requests.get(f"{site}/healthz", timeout=10).json()
        assert health["status"] == "ok" and health["chatbot"]["status"] == "down"
        assert requests.get(f"{site}/", timeout=10).status_code == 200
        chat = requests.post(f"{site}/api/chat/", json={"message": "粗大ごみを出したい", "sender": "t"},
                             timeout=10)
        assert chat.status_code == 503  # the widget's fallback: search and the ward's phone
        assert ward()["main_phone"] in chat.json()["replies"][0]["text"]
    finally:
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the foreground group
        try:
            make.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            raise
    time.sleep(1)
    assert processes_under(clone) == []
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "database is locked" not in text, text[-4000:]


def test_the_runner_names_the_process_that_died_and_why(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text("steady: sleep 60\nbroken: no-such-command-in-the-procfile --serve\n")
    run = subprocess.run([sys.executable, str(REPO / "scripts" / "hub.py"), str(procfile)],
                         env=plain_env(HUB_PORT=str(free_port())), cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 127
    assert "broken stopped first: its command was not found" in run.stdout
    assert "no-such-command-in-the-procfile: not found" in run.stdout  # its own last words
    assert "running on" not in run.stdout  # nothing answered /healthz
    assert processes_under(tmp_path) == []
