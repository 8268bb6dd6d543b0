"""The hub's web workers run threads: they share one Sudachi dictionary per process.

Four gunicorn threads starting together each loaded a dictionary of their own (lru_cache
lets concurrent first callers all run), and a worker's memory went from 280 MB to 525 MB
(bench/search_scale.py). A resident notices that as fewer workers fitting on a server.
"""

from __future__ import annotations

import threading

import chuo_text


def test_threads_starting_together_share_one_dictionary(monkeypatch):
    monkeypatch.setattr(chuo_text, "_loaded", [])
    start = threading.Barrier(8)
    seen: list[int] = []

    def first_search() -> None:
        start.wait()
        seen.append(id(chuo_text._dictionary()))
        chuo_text.analyse("粗大ごみを出したい")

    threads = [threading.Thread(target=first_search) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len(set(seen)) == 1
    assert len(chuo_text._loaded) == 1
