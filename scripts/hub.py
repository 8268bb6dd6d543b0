"""Runs the Procfile with honcho for `make up`, and tells the person at the terminal what
they need to know: when the site can be used, and which process died and why.

honcho (a well-kept Procfile runner) starts every process in its own session, prefixes
their output, stops them all (whole process groups, SIGKILL after 5 s) on Ctrl-C or when
one of them dies, and exits with that process's code. What it cannot do is added here:
- "running on …" only once /healthz answers (honcho only knows that processes started);
- the assistant's processes are left out, with one message, when the chatbot is not set
  up (no Python 3.10 on this machine): the site still runs, with the chat widget's
  fallback;
- when a process dies, its name, what its exit code means and its last lines of output.
"""

from __future__ import annotations

import collections
import datetime
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Message, Printer

REPO = Path(__file__).resolve().parents[1]
# Processes that need the chatbot set up (chatbot/.venv and a trained model).
CHATBOT_NEEDS = {
    "rasa": ["chatbot/.venv/bin/rasa", "chatbot/models/chuo.tar.gz"],
    "actions": ["chatbot/.venv/bin/python"],
}
STOPPED = re.compile(r"^(?P<name>\S+) stopped \(rc=(?P<rc>-?\d+)\)")
LAST_LINES = 8


def meaning(rc: int) -> str:
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return {
        1: "it failed (see its output above)",
        2: "it was started wrongly (bad arguments or settings)",
        126: "its command is not executable",
        127: "its command was not found (is the venv set up? run `make up` again)",
        137: "killed (SIGKILL, often out of memory)",
    }.get(rc, f"exit code {rc}")


class HubPrinter(Printer):
    """honcho's printer, remembering each process's last lines and the first to stop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tails: dict[str, collections.deque] = collections.defaultdict(
            lambda: collections.deque(maxlen=LAST_LINES))
        self.first_stopped: tuple[str, int] | None = None
        self.interrupted = False

    def write(self, message: Message) -> None:
        text = message.data.decode("utf-8", "replace") if isinstance(message.data, bytes) else message.data
        if message.name == "system":
            if " received" in text:
                self.interrupted = True
            match = STOPPED.match(text)
            if match and self.first_stopped is None and not self.interrupted:
                self.first_stopped = (match["name"], int(match["rc"]))
        else:
            self.tails[message.name].append(text.rstrip("\n"))
        super().write(message)


def say(manager: Manager, text: str) -> None:
    manager.events.put(Message(type="line", data=text + "\n", time=datetime.datetime.now(),
                               name="hub", colour=None))


def announce_when_ready(manager: Manager, port: str, chatbot: bool) -> None:
    """Polls /healthz (any answer: the site serves; 503 says what is wrong, in the JSON)."""
    site = f"http://127.0.0.1:{port}"
    while True:
        try:
            with urllib.request.urlopen(f"{site}/healthz", timeout=2):
                break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.5)
    say(manager, f"running on {site}  (Ctrl-C stops everything)")
    if not chatbot:
        return
    rasa = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}/status"
    while True:
        try:
            with urllib.request.urlopen(rasa, timeout=2):
                break
        except OSError:
            time.sleep(1)
    say(manager, "the assistant is answering (chat button on every page, POST /api/chat/)")


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "Procfile").resolve()
    root = path.parent  # the processes run there, as with `honcho start`
    procfile = parse_procfile(path.read_text())
    missing = sorted({need for name in procfile.processes for need in CHATBOT_NEEDS.get(name, [])
                      if not (root / need).exists()})
    chatbot = not missing
    printer = HubPrinter(sys.stdout, colour=sys.stdout.isatty())
    manager = Manager(printer)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for name, command in procfile.processes.items():
        if name in CHATBOT_NEEDS and not chatbot:
            continue
        manager.add_process(name, command, env=env, cwd=str(root))
    if not chatbot:
        say(manager, "the assistant is not set up (missing " + ", ".join(missing) + "): starting "
                     "the site without it; the chat widget offers search and the ward's phone")
    threading.Thread(target=announce_when_ready, daemon=True,
                     args=(manager, os.environ.get("HUB_PORT", "8000"), chatbot)).start()
    manager.loop()
    if printer.first_stopped:
        name, rc = printer.first_stopped
        print(f"hub: {name} stopped first: {meaning(rc)}; so everything was stopped.", flush=True)
        tail = [line for line in printer.tails.get(name, []) if line.strip()]
        if tail:
            print(f"hub: last lines of {name}:", *(f"  {line}" for line in tail), sep="\n", flush=True)
        return rc if rc > 0 else 1
    return 0 if printer.interrupted else (manager.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
