"""Timing helpers: the current UTC time, readable durations, and timing decorators/contexts.

Input: an operation name (and optionally a duration limit) around some work. Output: the work's
own result, a measured duration, an INFO record on the `sparkforge.performance` logger, and a
`PerformanceWarning` (plus a WARNING record) when the work took longer than its limit.
"""

from __future__ import annotations

import functools
import logging
import math
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

__all__ = [
    "OperationTiming",
    "PerformanceWarning",
    "format_duration",
    "monitor_performance",
    "now_dt",
    "performance_monitor",
    "time_operation",
    "time_write_operation",
]

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger("sparkforge.performance")


class PerformanceWarning(UserWarning):
    """An operation took longer than its `max_duration` (filter it with `warnings`)."""


def now_dt() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def format_duration(seconds: float) -> str:
    """`0.85` -> "850ms", `12.344` -> "12.34s", `125` -> "2m 5.0s", `3723` -> "1h 2m 3s"."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite number >= 0, got {seconds}")
    if round(seconds * 1_000_000) < 1000:
        return f"{seconds * 1_000_000:.0f}us"
    if round(seconds * 1000) < 1000:
        return f"{seconds * 1000:.0f}ms"
    if round(seconds, 2) < 60:
        return f"{seconds:.2f}s"
    # Round once at the coarsest shown unit so that 119.96 reads "2m 0.0s", never "1m 60.0s".
    if round(seconds, 1) < 3600:
        tenths = round(seconds * 10)
        return f"{tenths // 600}m {tenths % 600 / 10:.1f}s"
    whole = round(seconds)
    return f"{whole // 3600}h {whole % 3600 // 60}m {whole % 60}s"


@dataclass
class OperationTiming:
    """What `performance_monitor` yields; `duration` and `exceeded` are set when the block ends."""

    operation_name: str
    max_duration: float | None
    started_at: datetime
    duration: float | None = None
    exceeded: bool = False
    failed: bool = False


def _report(timing: OperationTiming) -> None:
    assert timing.duration is not None
    took = format_duration(timing.duration)
    outcome = "failed after" if timing.failed else "took"
    logger.info(f"{timing.operation_name} {outcome} {took}")
    if timing.exceeded:
        message = (
            f"{timing.operation_name} took {took}, more than its max_duration of "
            f"{format_duration(timing.max_duration or 0.0)}"
        )
        logger.warning(message)
        warnings.warn(message, PerformanceWarning, stacklevel=4)


@contextmanager
def performance_monitor(
    operation_name: str, max_duration: float | None = None
) -> Iterator[OperationTiming]:
    """Time the block; log it, and warn when it exceeded `max_duration` seconds. The block's
    exception (if any) propagates after the timing is recorded."""
    if max_duration is not None and max_duration < 0:
        raise ValueError(f"max_duration must be >= 0, got {max_duration}")
    timing = OperationTiming(operation_name, max_duration, now_dt())
    start = time.perf_counter()
    try:
        yield timing
    except BaseException:
        timing.failed = True
        raise
    finally:
        timing.duration = time.perf_counter() - start
        timing.exceeded = max_duration is not None and timing.duration > max_duration
        _report(timing)


def monitor_performance(
    operation_name: str, max_duration: float | None = None
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator factory: every call runs inside `performance_monitor(operation_name, ...)`."""

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with performance_monitor(operation_name, max_duration):
                return func(*args, **kwargs)

        return wrapper

    return decorate


def time_operation(operation_name: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator: log how long each call took (no limit, no warning)."""
    return monitor_performance(operation_name, None)


def time_write_operation(
    write_fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> tuple[T, float]:
    """Call `write_fn(*args, **kwargs)` and return `(its result, seconds it took)`, logged as
    "write <function name>". Pass a closure (`lambda: df.write.saveAsTable(fqn)`) or a function
    and its arguments."""
    name = getattr(write_fn, "__name__", type(write_fn).__name__)
    with performance_monitor(f"write {name}") as timing:
        result = write_fn(*args, **kwargs)
    assert timing.duration is not None
    return result, timing.duration
