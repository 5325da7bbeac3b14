"""An in-process cache with size, entry and time limits, for look-ups that are costly to repeat.

Input: hashable keys and values (catalog answers, schemas, compiled rule predicates ...).
Output: the value stored under a key until it expires, is evicted or is invalidated, plus exact
statistics. Picklable values are stored pickled (zlib-compressed when configured), so every `get`
returns a fresh copy that callers cannot mutate inside the cache; values that cannot be pickled
(a PySpark `Column`, a lock) are kept by reference and sized with `sys.getsizeof`.

Never cache data results (DataFrames, row counts of tables that change): entries are not
invalidated when a table is written.
"""

from __future__ import annotations

import functools
import pickle
import sys
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum
from typing import Any, ParamSpec, TypeVar

__all__ = [
    "CacheConfig",
    "CacheStrategy",
    "PerformanceCache",
    "cached",
    "get_performance_cache",
]

P = ParamSpec("P")
T = TypeVar("T")
_MISSING = object()


class CacheStrategy(Enum):
    """Which live entry makes room when a limit is reached (expired entries always go first)."""

    LRU = "lru"  # least recently read or written
    TTL = "ttl"  # the one closest to expiry
    FIFO = "fifo"  # the oldest write


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """Limits of a `PerformanceCache`. `ttl_seconds=None` means entries never expire by age."""

    max_size_mb: float = 512
    ttl_seconds: float | None = 3600
    strategy: CacheStrategy = CacheStrategy.LRU
    enable_compression: bool = False
    max_entries: int = 10_000

    def __post_init__(self) -> None:
        if self.max_size_mb <= 0:
            raise ValueError(f"CacheConfig.max_size_mb must be > 0, got {self.max_size_mb}")
        if self.max_entries < 1:
            raise ValueError(f"CacheConfig.max_entries must be >= 1, got {self.max_entries}")
        if self.ttl_seconds is not None and self.ttl_seconds <= 0:
            raise ValueError(f"CacheConfig.ttl_seconds must be > 0 or None, got {self.ttl_seconds}")
        if not isinstance(self.strategy, CacheStrategy):
            raise ValueError(f"CacheConfig.strategy must be a CacheStrategy, got {self.strategy!r}")


@dataclass(slots=True)
class _Entry:
    payload: Any  # bytes when `pickled`, else the object itself
    pickled: bool
    size: int
    expires_at: float  # monotonic seconds; inf when the entry never expires


class PerformanceCache:
    """Thread-safe cache: one lock guards entries and statistics, so both stay exact."""

    def __init__(
        self, config: CacheConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or CacheConfig()
        self.max_size_bytes = int(self.config.max_size_mb * 1024 * 1024)
        self._clock = clock
        self._lock = threading.Lock()
        # Insertion order is the eviction order: LRU moves an entry to the end on every hit.
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._size = 0
        self._stats = dict.fromkeys(
            ("hits", "misses", "puts", "updates", "rejected", "evictions", "expirations",
             "invalidations", "cleared"),
            0,
        )

    # -- public API ----------------------------------------------------------------------------

    def put(self, key: Hashable, value: Any, ttl_seconds: float | None = None) -> bool:
        """Store `value`; False (nothing stored) when it alone is larger than the cache."""
        if ttl_seconds is not None and ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be > 0, got {ttl_seconds}")
        payload, pickled, size = self._encode(value)
        ttl = ttl_seconds if ttl_seconds is not None else self.config.ttl_seconds
        with self._lock:
            now = self._clock()
            # The old value goes even if the new one is refused: it is what the caller replaced.
            if self._drop(key):
                self._stats["updates"] += 1
            if size > self.max_size_bytes:
                self._stats["rejected"] += 1
                return False
            self._make_room(size, now)
            expires = now + ttl if ttl is not None else float("inf")
            self._entries[key] = _Entry(payload, pickled, size, expires)
            self._size += size
            self._stats["puts"] += 1
            return True

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value under `key`, or `default` (None) when it is missing or expired."""
        value = self._lookup(key)
        return default if value is _MISSING else value

    def invalidate(self, key: Hashable) -> bool:
        """Remove `key`; True when it was present."""
        with self._lock:
            dropped = self._drop(key)
            self._stats["invalidations"] += dropped
            return dropped

    def clear(self) -> None:
        """Remove every entry (statistics are kept; see `reset_stats`)."""
        with self._lock:
            self._stats["cleared"] += len(self._entries)
            self._entries.clear()
            self._size = 0

    def reset_stats(self) -> None:
        with self._lock:
            self._stats = dict.fromkeys(self._stats, 0)

    def get_stats(self) -> dict[str, Any]:
        """Counters, the current entries and size_bytes, hit_rate (hits / gets, 0.0 to 1.0) and
        the limits. Every stored value leaves exactly one way, so at any moment
        puts == entries + updates + evictions + expirations + invalidations + cleared."""
        with self._lock:
            gets = self._stats["hits"] + self._stats["misses"]
            return {
                **self._stats,
                "entries": len(self._entries),
                "size_bytes": self._size,
                "hit_rate": self._stats["hits"] / gets if gets else 0.0,
                "max_entries": self.config.max_entries,
                "max_size_bytes": self.max_size_bytes,
                "strategy": self.config.strategy.value,
            }

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], T], ttl_seconds: float | None = None
    ) -> T:
        """The cached value, or `compute()` stored and returned (None results are cached too).

        `compute` runs outside the lock, so two threads missing at once may both compute; the
        later write wins. That trade keeps a slow computation from blocking every other key.
        """
        value = self._lookup(key)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        result = compute()
        self.put(key, result, ttl_seconds)
        return result

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        """True for a live entry; does not count as a hit or miss."""
        with self._lock:
            entry = self._entries.get(key)
            return entry is not None and entry.expires_at > self._clock()

    # -- internals -----------------------------------------------------------------------------

    def _lookup(self, key: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires_at <= self._clock():
                self._drop(key)
                self._stats["expirations"] += 1
                entry = None
            if entry is None:
                self._stats["misses"] += 1
                return _MISSING
            self._stats["hits"] += 1
            if self.config.strategy is CacheStrategy.LRU:
                self._entries.move_to_end(key)
            payload, pickled = entry.payload, entry.pickled
        # Unpickling happens outside the lock: the payload bytes are immutable.
        return self._decode(payload) if pickled else payload

    def _drop(self, key: Hashable) -> bool:
        entry = self._entries.pop(key, None)
        if entry is None:
            return False
        self._size -= entry.size
        return True

    def _make_room(self, size: int, now: float) -> None:
        """Expire, then evict, until one more entry of `size` bytes fits both limits."""
        if self._fits(size):
            return
        for key in [k for k, e in self._entries.items() if e.expires_at <= now]:
            self._drop(key)
            self._stats["expirations"] += 1
        while self._entries and not self._fits(size):
            self._drop(self._victim())
            self._stats["evictions"] += 1

    def _fits(self, size: int) -> bool:
        return (
            len(self._entries) < self.config.max_entries
            and self._size + size <= self.max_size_bytes
        )

    def _victim(self) -> Hashable:
        if self.config.strategy is CacheStrategy.TTL:
            return min(self._entries.items(), key=lambda item: item[1].expires_at)[0]
        return next(iter(self._entries))  # LRU and FIFO: the front of the order

    def _encode(self, value: Any) -> tuple[Any, bool, int]:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # unpicklable objects (locks, JVM-backed columns): keep by reference
            return value, False, sys.getsizeof(value)
        if self.config.enable_compression:
            data = zlib.compress(data)
        return data, True, len(data)

    def _decode(self, payload: bytes) -> Any:
        data = zlib.decompress(payload) if self.config.enable_compression else payload
        return pickle.loads(data)  # safe: only bytes this cache pickled itself


def cached(
    cache: PerformanceCache,
    key_fn: Callable[..., Hashable] | None = None,
    ttl_seconds: float | None = None,
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator: memoise a function in `cache`. The key is `key_fn(*args, **kwargs)`, or the
    function's qualified name with its arguments (which must then be hashable)."""

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            if key_fn is not None:
                key = key_fn(*args, **kwargs)
            else:
                key = (func.__module__, func.__qualname__, args, tuple(sorted(kwargs.items())))
            return cache.get_or_compute(key, lambda: func(*args, **kwargs), ttl_seconds)

        return wrapper

    return decorate


_default_cache: PerformanceCache | None = None
_default_lock = threading.Lock()


def get_performance_cache() -> PerformanceCache:
    """The process-wide default cache (default `CacheConfig`), created on first use."""
    global _default_cache
    if _default_cache is None:
        with _default_lock:
            if _default_cache is None:
                _default_cache = PerformanceCache()
    return _default_cache
