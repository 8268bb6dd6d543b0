"""The per-worker caches stay within their bound, oldest-used out first."""

from cms.core.bounded_cache import BoundedCache


def test_oldest_used_entries_leave_first_and_the_size_bound_holds():
    cache = BoundedCache(10)
    cache.put("a", 1, size=4)
    cache.put("b", 2, size=4)
    assert cache.get("a") == 1  # "a" used last: "b" is the oldest now
    cache.put("c", 3, size=4)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert cache.size == 8
    cache.put("huge", 4, size=11)  # larger than the bound: not kept, nothing lost
    assert cache.get("huge") is None and len(cache) == 2
    cache.put("a", 5, size=2)  # kept again: replaces, size follows
    assert cache.get("a") == 5 and cache.size == 6
