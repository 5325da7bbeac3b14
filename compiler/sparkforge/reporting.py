"""Plain-dict reports of a validation or a write, for logs, JSON and dashboards.

Input: a validation or write result, as an object with attributes or as a mapping (sparkforge's
own result types, the seed's StageStats, or a dict). Output: a new dict with fixed keys and plain
values (str, int, float, bool, None). Values that follow from others are derived (invalid rows from
total and valid, the rate from the counts, `passed` from rate and threshold, a duration from start
and end times); anything else that is missing is a `ValueError` naming every missing field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

__all__ = ["VALIDATION_KEYS", "WRITE_KEYS", "create_validation_dict", "create_write_dict"]

VALIDATION_KEYS = ("stage", "step", "total_rows", "valid_rows", "invalid_rows", "validation_rate",
                   "threshold", "passed", "duration_secs")
WRITE_KEYS = ("table_fqn", "write_mode", "rows_written", "duration_secs", "success", "error")

_MISSING: Any = object()


class _Fields:
    """Reads the first present name among aliases, from a mapping or from attributes."""

    def __init__(self, source: object, what: str) -> None:
        if source is None:
            raise ValueError(f"{what} is None; pass a result object or a dict")
        self.source, self.what = source, what

    def get(self, *names: str, allow_none: bool = False) -> Any:
        """The first alias that is present (None counts as absent unless `allow_none`)."""
        for name in names:
            if isinstance(self.source, Mapping):
                value = self.source.get(name, _MISSING)
            else:
                value = getattr(self.source, name, _MISSING)
            if value is _MISSING or callable(value) or (value is None and not allow_none):
                continue
            return value
        return _MISSING

    def duration(self) -> Any:
        value = self.get("duration_secs", "duration")
        if value is not _MISSING:
            return value
        start, end = self.get("start_time", "started_at"), self.get("end_time", "ended_at")
        if isinstance(start, datetime) and isinstance(end, datetime):
            return (end - start).total_seconds()
        return _MISSING


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _require(values: Mapping[str, Any], keys: Sequence[str], what: str, source: object) -> None:
    missing = [k for k in keys if values.get(k, _MISSING) is _MISSING]
    if missing:
        have = sorted(source) if isinstance(source, Mapping) else sorted(
            n for n in dir(source) if not n.startswith("_"))
        raise ValueError(
            f"{what} lacks {', '.join(missing)} (cannot be derived); it has: {', '.join(map(str, have))}"
        )


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def create_validation_dict(validation_result: Any, *, threshold: float | None = None) -> dict[str, Any]:
    """Keys: stage, step, total_rows, valid_rows, invalid_rows, validation_rate (percent),
    threshold (percent), passed (rate >= threshold), duration_secs. `threshold=` supplies the
    layer threshold when the result does not carry one."""
    src = _Fields(validation_result, "validation_result")
    v: dict[str, Any] = {
        "stage": _plain(src.get("stage", "phase", "step_type")),
        "step": src.get("step", "step_name", "name"),
        "total_rows": src.get("total_rows", "input_rows"),
        "valid_rows": src.get("valid_rows"),
        "invalid_rows": src.get("invalid_rows"),
        "validation_rate": src.get("validation_rate", "rate"),
        "threshold": src.get("threshold") if threshold is None else threshold,
        "passed": src.get("passed", "validation_passed"),
        "duration_secs": src.duration(),
    }
    total, valid, invalid = v["total_rows"], v["valid_rows"], v["invalid_rows"]
    if total is _MISSING and _MISSING not in (valid, invalid):
        v["total_rows"] = total = valid + invalid
    if valid is _MISSING and _MISSING not in (total, invalid):
        v["valid_rows"] = valid = total - invalid
    if invalid is _MISSING and _MISSING not in (total, valid):
        v["invalid_rows"] = invalid = total - valid
    if v["validation_rate"] is _MISSING and _MISSING not in (total, valid):
        v["validation_rate"] = valid * 100.0 / total if total else 100.0
    if v["passed"] is _MISSING and _MISSING not in (v["validation_rate"], v["threshold"]):
        v["passed"] = v["validation_rate"] >= v["threshold"]
    _require(v, VALIDATION_KEYS, "validation_result", validation_result)
    for key in ("total_rows", "valid_rows", "invalid_rows"):
        _count(key, v[key])
    if v["valid_rows"] + v["invalid_rows"] != v["total_rows"]:
        raise ValueError(
            f"valid_rows ({v['valid_rows']}) + invalid_rows ({v['invalid_rows']}) != "
            f"total_rows ({v['total_rows']})"
        )
    for key in ("validation_rate", "threshold"):
        if not 0.0 <= float(v[key]) <= 100.0:
            raise ValueError(f"{key} must be a percentage between 0 and 100, got {v[key]!r}")
        v[key] = float(v[key])
    v["passed"], v["duration_secs"] = bool(v["passed"]), float(v["duration_secs"])
    v["stage"], v["step"] = str(v["stage"]), str(v["step"])
    return v


def create_write_dict(write_result: Any) -> dict[str, Any]:
    """Keys: table_fqn, write_mode, rows_written, duration_secs, success, error (None or
    "Type: message"). A failed write without a row count wrote 0 rows (Delta commits are atomic)."""
    src = _Fields(write_result, "write_result")
    error = src.get("error", "error_message", allow_none=True)
    w: dict[str, Any] = {
        "table_fqn": src.get("table_fqn", "fqn", "table_name", "table"),
        "write_mode": _plain(src.get("write_mode", "mode")),
        "rows_written": src.get("rows_written", "rows", "row_count"),
        "duration_secs": src.duration(),
        "success": src.get("success"),
        "error": error,
    }
    if w["success"] is _MISSING and error is not _MISSING:
        w["success"] = error is None
    if w["error"] is _MISSING and w["success"] is True:
        w["error"] = None
    if w["rows_written"] is _MISSING and w["success"] is False:
        w["rows_written"] = 0
    _require(w, WRITE_KEYS, "write_result", write_result)
    if isinstance(w["error"], BaseException):
        w["error"] = f"{type(w['error']).__name__}: {w['error']}"
    if w["success"] and w["error"] is not None:
        raise ValueError(f"write_result says success but carries an error: {w['error']}")
    w["rows_written"] = _count("rows_written", w["rows_written"])
    w["duration_secs"], w["success"] = float(w["duration_secs"]), bool(w["success"])
    w["table_fqn"], w["write_mode"] = str(w["table_fqn"]), str(w["write_mode"]).lower()
    return w
