"""A thread-safe, size-bounded, least-recently-used map kept in one worker process.

Several parts of the hub keep recent work per worker (search answers, decoded pages,
rendered search responses); each bounds it by its own measure (entries, terms, bytes).
functools.lru_cache bounds by count only and cannot drop one stale entry, so this is
written here: a lock, an OrderedDict and a running size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class BoundedCache:
    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.lock = threading.Lock()
        self.entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.size = 0

    def get(self, key: Hashable) -> Any | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            self.entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Any, size: int = 1) -> None:
        """Keep `value` (an entry larger than the whole bound is not kept)."""
        if size > self.max_size:
            return
        with self.lock:
            self._drop(key)
            self.entries[key] = (value, size)
            self.size += size
            while self.size > self.max_size:
                self._drop(next(iter(self.entries)))

    def drop(self, key: Hashable) -> None:
        with self.lock:
            self._drop(key)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self.entries)

    def _drop(self, key: Hashable) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.size -= entry[1]
