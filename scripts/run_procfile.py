"""Starts every process of a Procfile, prefixes their output, stops all on Ctrl-C.

A tiny stand-in for honcho/foreman so `make up` needs nothing beyond the hub's venv.
If one process dies, the others are stopped too: a half-running hub is worse than
a clear error.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

COLOURS = ["36", "33", "32", "35", "34", "31"]


def read_procfile(path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, command = line.split(":", 1)
        entries.append((name.strip(), os.path.expandvars(command.strip())))
    return entries


def pump(name: str, colour: str, stream, width: int) -> None:
    prefix = f"\033[{colour}m{name:<{width}} |\033[0m " if sys.stdout.isatty() else f"{name:<{width}} | "
    for raw in iter(stream.readline, b""):
        sys.stdout.write(prefix + raw.decode("utf-8", "replace"))
        sys.stdout.flush()


def main() -> int:
    entries = read_procfile(Path(sys.argv[1] if len(sys.argv) > 1 else "Procfile"))
    width = max(len(n) for n, _ in entries)
    procs: list[tuple[str, subprocess.Popen]] = []
    env = dict(os.environ, PYTHONUNBUFFERED="1", DJANGO_DEBUG=os.environ.get("DJANGO_DEBUG", "0"))
    for i, (name, command) in enumerate(entries):
        proc = subprocess.Popen(command, shell=True, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=pump, args=(name, COLOURS[i % len(COLOURS)], proc.stdout, width),
                         daemon=True).start()
        procs.append((name, proc))
    print(f"hub running on http://127.0.0.1:{os.environ.get('HUB_PORT', '8000')}  (Ctrl-C stops)")

    stopping = threading.Event()

    def stop(*_args) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping.wait(0.5):
        for name, proc in procs:
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the hub")
                exit_code = proc.returncode or 1
                stopping.set()
    for _name, proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for _name, proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
