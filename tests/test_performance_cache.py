"""PerformanceCache: limits, strategies, TTL, compression, statistics, and exactness under threads."""

from __future__ import annotations

import pickle
import random
import sys
import threading
import zlib

import pytest
from sparkforge.performance_cache import (
    CacheConfig,
    CacheStrategy,
    PerformanceCache,
    cached,
    get_performance_cache,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def size_of(value: object) -> int:
    return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def left_once(stats: dict[str, int]) -> int:
    """Every stored value leaves in exactly one way; the invariant the docstring promises."""
    return (stats["entries"] + stats["updates"] + stats["evictions"] + stats["expirations"]
            + stats["invalidations"] + stats["cleared"])


def test_put_get_miss_and_default() -> None:
    cache = PerformanceCache()
    assert cache.put("k", {"a": [1, 2]}) is True
    assert cache.get("k") == {"a": [1, 2]}
    assert cache.get("missing") is None
    assert cache.get("missing", default="d") == "d"
    stats = cache.get_stats()
    assert (stats["hits"], stats["misses"], stats["entries"]) == (1, 2, 1)
    assert stats["hit_rate"] == pytest.approx(1 / 3)
    assert stats["size_bytes"] == size_of({"a": [1, 2]})


def test_values_are_copies_that_callers_cannot_mutate() -> None:
    cache = PerformanceCache()
    value = [1, 2]
    cache.put("k", value)
    value.append(3)
    got = cache.get("k")
    got.append(4)
    assert cache.get("k") == [1, 2]


def test_unpicklable_values_are_kept_by_reference() -> None:
    cache = PerformanceCache()
    lock = threading.Lock()
    assert cache.put("lock", lock)
    assert cache.get("lock") is lock
    assert cache.get_stats()["size_bytes"] == sys.getsizeof(lock)


def test_ttl_expiry_with_default_and_per_entry_ttl() -> None:
    clock = FakeClock()
    cache = PerformanceCache(CacheConfig(ttl_seconds=10), clock=clock)
    cache.put("short", 1, ttl_seconds=2)
    cache.put("default", 2)
    clock.now += 5
    assert "short" not in cache and cache.get("short") is None
    assert cache.get("default") == 2
    clock.now += 6
    assert cache.get("default") is None
    stats = cache.get_stats()
    assert stats["expirations"] == 2 and stats["entries"] == 0 and stats["size_bytes"] == 0


def test_no_ttl_means_no_expiry() -> None:
    clock = FakeClock()
    cache = PerformanceCache(CacheConfig(ttl_seconds=None), clock=clock)
    cache.put("k", 1)
    clock.now += 10**9
    assert cache.get("k") == 1


def test_lru_evicts_least_recently_used() -> None:
    cache = PerformanceCache(CacheConfig(max_entries=3, strategy=CacheStrategy.LRU))
    for key in "abc":
        cache.put(key, key)
    cache.get("a")
    cache.put("d", "d")
    assert [k for k in "abcd" if k in cache] == ["a", "c", "d"]
    assert cache.get_stats()["evictions"] == 1


def test_fifo_evicts_oldest_write_even_if_read() -> None:
    cache = PerformanceCache(CacheConfig(max_entries=3, strategy=CacheStrategy.FIFO))
    for key in "abc":
        cache.put(key, key)
    cache.get("a")
    cache.put("d", "d")
    assert [k for k in "abcd" if k in cache] == ["b", "c", "d"]


def test_ttl_strategy_evicts_soonest_expiry_and_expired_first() -> None:
    clock = FakeClock()
    cache = PerformanceCache(
        CacheConfig(max_entries=3, strategy=CacheStrategy.TTL, ttl_seconds=100), clock=clock
    )
    cache.put("long", 1, ttl_seconds=50)
    cache.put("soon", 2, ttl_seconds=5)
    cache.put("mid", 3, ttl_seconds=20)
    cache.put("new", 4)
    assert [k for k in ("long", "soon", "mid", "new") if k in cache] == ["long", "mid", "new"]
    clock.now += 30  # "mid" has expired: it makes room without an eviction
    cache.put("newer", 5)
    stats = cache.get_stats()
    assert (stats["evictions"], stats["expirations"]) == (1, 1)


def test_size_limit_evicts_and_rejects_oversized_values() -> None:
    cache = PerformanceCache(CacheConfig(max_size_mb=0.001))  # 1048 bytes
    blob = "x" * 300
    for i in range(10):
        assert cache.put(i, blob)
        assert cache.get_stats()["size_bytes"] <= cache.max_size_bytes
    stats = cache.get_stats()
    assert stats["entries"] == cache.max_size_bytes // size_of(blob)
    assert stats["evictions"] == 10 - stats["entries"]
    cache.put("big", 1)
    assert cache.put("big", "y" * 5000) is False  # too big: refused, older value dropped
    assert cache.get("big") is None
    assert cache.get_stats()["rejected"] == 1


def test_compression_shrinks_and_round_trips() -> None:
    value = {"rows": ["same text"] * 500}
    plain = PerformanceCache(CacheConfig(enable_compression=False))
    packed = PerformanceCache(CacheConfig(enable_compression=True))
    plain.put("k", value)
    packed.put("k", value)
    assert packed.get("k") == value
    assert packed.get_stats()["size_bytes"] == len(zlib.compress(pickle.dumps(
        value, protocol=pickle.HIGHEST_PROTOCOL)))
    assert packed.get_stats()["size_bytes"] < plain.get_stats()["size_bytes"] / 10


def test_invalidate_clear_and_reset_stats() -> None:
    cache = PerformanceCache()
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 3)
    assert cache.invalidate("a") is True and cache.invalidate("a") is False
    cache.clear()
    stats = cache.get_stats()
    assert (stats["entries"], stats["size_bytes"], stats["cleared"]) == (0, 0, 1)
    assert (stats["updates"], stats["invalidations"]) == (1, 1)
    assert stats["puts"] == left_once(stats) == 3
    cache.reset_stats()
    assert cache.get_stats()["puts"] == 0 and len(cache) == 0


def test_get_or_compute_caches_none_results() -> None:
    cache = PerformanceCache()
    calls: list[int] = []

    def compute() -> None:
        calls.append(1)

    assert cache.get_or_compute("k", compute) is None
    assert cache.get_or_compute("k", compute) is None
    assert len(calls) == 1


def test_cached_decorator_default_and_custom_keys() -> None:
    cache = PerformanceCache()
    calls: list[tuple[int, int]] = []

    @cached(cache)
    def add(a: int, b: int = 0) -> int:
        calls.append((a, b))
        return a + b

    assert add(1, b=2) == 3 and add(1, b=2) == 3 and add(2) == 2
    assert calls == [(1, 2), (2, 0)]
    assert add.__name__ == "add"

    @cached(cache, key_fn=lambda name, **_: ("schema", name.lower()))
    def lookup(name: str, verbose: bool = False) -> str:
        calls.append((0, 0))
        return name.lower()

    assert lookup("Orders") == lookup("ORDERS", verbose=True) == "orders"
    assert calls.count((0, 0)) == 1


@pytest.mark.parametrize(
    "kwargs",
    [{"max_size_mb": 0}, {"max_entries": 0}, {"ttl_seconds": -1}, {"strategy": "lru"}],
)
def test_config_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        CacheConfig(**kwargs)  # type: ignore[arg-type]


def test_put_rejects_nonpositive_ttl() -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        PerformanceCache().put("k", 1, ttl_seconds=0)


def test_seed_example_config_and_default_instance() -> None:
    config = CacheConfig(max_size_mb=512, ttl_seconds=3600, strategy=CacheStrategy.LRU,
                         enable_compression=True, max_entries=10000)
    cache = PerformanceCache(config)
    assert cache.get_stats()["max_size_bytes"] == 512 * 1024 * 1024
    assert get_performance_cache() is get_performance_cache()
    assert CacheConfig().enable_compression is False


@pytest.mark.parametrize("strategy", list(CacheStrategy))
@pytest.mark.parametrize("compress", [False, True])
def test_limits_and_statistics_stay_exact_under_8_threads(
    strategy: CacheStrategy, compress: bool
) -> None:
    clock = FakeClock()
    config = CacheConfig(max_size_mb=0.02, max_entries=40, strategy=strategy,
                         enable_compression=compress, ttl_seconds=50)
    cache = PerformanceCache(config, clock=clock)
    gets = [0] * 8
    hits = [0] * 8
    violations: list[str] = []

    def work(n: int) -> None:
        rng = random.Random(n)
        for _ in range(1500):
            key = rng.randrange(120)
            op = rng.random()
            if op < 0.45:
                cache.put(key, ("v", key, "x" * rng.randrange(10, 400)),
                          ttl_seconds=rng.choice([None, 1, 100]))
            elif op < 0.9:
                gets[n] += 1
                value = cache.get(key)
                if value is not None:
                    hits[n] += 1
                    if value[1] != key:
                        violations.append(f"wrong value for {key}")
            elif op < 0.97:
                cache.invalidate(key)
            else:
                clock.now += 0.5  # let entries with ttl 1 expire
            stats = cache.get_stats()
            if stats["entries"] > config.max_entries or stats["size_bytes"] > cache.max_size_bytes:
                violations.append(f"limit exceeded: {stats}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = cache.get_stats()
    assert violations == []
    assert stats["hits"] + stats["misses"] == sum(gets)
    assert stats["hits"] == sum(hits)
    assert stats["puts"] == left_once(stats)
    assert stats["evictions"] > 0 and stats["expirations"] > 0
    assert stats["size_bytes"] == sum(e.size for e in cache._entries.values())
