"""Timing helpers in sparkforge.performance."""

from __future__ import annotations

import logging
import time
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from sparkforge.performance import (
    PerformanceWarning,
    format_duration,
    monitor_performance,
    now_dt,
    performance_monitor,
    time_operation,
    time_write_operation,
)

LOGGER = "sparkforge.performance"


def test_now_dt_is_aware_utc_and_current() -> None:
    value = now_dt()
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - value) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0us"),
        (0.0004, "400us"),
        (0.85, "850ms"),
        (0.9996, "1.00s"),
        (12.344, "12.34s"),
        (59.996, "1m 0.0s"),
        (125, "2m 5.0s"),
        (119.96, "2m 0.0s"),
        (3599.96, "1h 0m 0s"),
        (3723, "1h 2m 3s"),
        (90000, "25h 0m 0s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_format_duration_rejects_nonsense(bad: float) -> None:
    with pytest.raises(ValueError, match="finite number >= 0"):
        format_duration(bad)


def test_time_operation_logs_and_returns(caplog: pytest.LogCaptureFixture) -> None:
    @time_operation("data_transform")
    def transform(x: int, *, factor: int = 2) -> int:
        """Doubles."""
        return x * factor

    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert transform(3, factor=3) == 9
    assert transform.__name__ == "transform" and transform.__doc__ == "Doubles."
    [record] = [r for r in caplog.records if r.name == LOGGER]
    assert record.levelno == logging.INFO and record.getMessage().startswith("data_transform took ")


def test_time_operation_logs_failures_and_reraises(caplog: pytest.LogCaptureFixture) -> None:
    @time_operation("explode")
    def explode() -> None:
        raise KeyError("x")

    with caplog.at_level(logging.INFO, logger=LOGGER), pytest.raises(KeyError):
        explode()
    assert any(r.getMessage().startswith("explode failed after ") for r in caplog.records)


def test_performance_monitor_measures_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with performance_monitor("fast", max_duration=5) as timing:
            assert timing.duration is None
            time.sleep(0.01)
    assert timing.duration is not None and 0.01 <= timing.duration < 1
    assert not timing.exceeded and timing.operation_name == "fast"
    assert timing.started_at.tzinfo is not None


def test_performance_monitor_warns_and_logs_past_max_duration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger=LOGGER), pytest.warns(
        PerformanceWarning, match="slow took .* more than its max_duration of 1ms"
    ), performance_monitor("slow", max_duration=0.001) as timing:
        time.sleep(0.02)
    assert timing.exceeded
    assert any(r.levelno == logging.WARNING and "max_duration" in r.getMessage()
               for r in caplog.records)


def test_performance_monitor_records_failures() -> None:
    with pytest.raises(RuntimeError), performance_monitor("boom") as timing:
        raise RuntimeError("boom")
    assert timing.failed and timing.duration is not None


def test_performance_monitor_rejects_negative_limit() -> None:
    with pytest.raises(ValueError), performance_monitor("x", max_duration=-1):
        pass


def test_monitor_performance_decorator() -> None:
    @monitor_performance("my_operation", max_duration=60)
    def my_function() -> str:
        return "result"

    @monitor_performance("too_slow", max_duration=0.001)
    def too_slow() -> str:
        time.sleep(0.01)
        return "late"

    assert my_function() == "result"
    with pytest.warns(PerformanceWarning, match="too_slow"):
        assert too_slow() == "late"


def test_time_write_operation_returns_result_and_seconds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def write(rows: list[int], *, mode: str) -> int:
        time.sleep(0.01)
        return len(rows) if mode == "append" else 0

    with caplog.at_level(logging.INFO, logger=LOGGER):
        result, seconds = time_write_operation(write, [1, 2, 3], mode="append")
    assert result == 3 and 0.01 <= seconds < 1
    assert any(r.getMessage().startswith("write write took") for r in caplog.records)
    value, took = time_write_operation(lambda: "ok")
    assert value == "ok" and took >= 0
