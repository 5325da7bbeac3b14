"""create_validation_dict and create_write_dict: duck typing, derivation, and clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import pytest
from sparkforge.reporting import (
    VALIDATION_KEYS,
    WRITE_KEYS,
    create_validation_dict,
    create_write_dict,
)


class Stage(Enum):
    SILVER = "silver"


class Mode(Enum):
    OVERWRITE = "OVERWRITE"


@dataclass
class StageStats:  # the seed's shape: no threshold, no passed
    stage: Any
    step: str
    total_rows: int
    valid_rows: int
    invalid_rows: int
    validation_rate: float
    duration_secs: float


@dataclass
class WriteResult:
    table_fqn: str
    write_mode: Any
    rows_written: int
    start_time: datetime
    end_time: datetime
    success: bool


FULL = {"stage": "bronze", "step": "events", "total_rows": 10, "valid_rows": 9,
        "invalid_rows": 1, "validation_rate": 90.0, "threshold": 95.0, "passed": False,
        "duration_secs": 1.5}


def test_validation_dict_from_a_complete_dict() -> None:
    result = create_validation_dict(FULL)
    assert result == FULL and tuple(result) == VALIDATION_KEYS
    assert result is not FULL


def test_validation_dict_from_an_object_with_threshold_argument() -> None:
    stats = StageStats(Stage.SILVER, "clean", 8, 8, 0, 100.0, 0.25)
    result = create_validation_dict(stats, threshold=98.0)
    assert result == {"stage": "silver", "step": "clean", "total_rows": 8, "valid_rows": 8,
                      "invalid_rows": 0, "validation_rate": 100.0, "threshold": 98.0,
                      "passed": True, "duration_secs": 0.25}


def test_validation_dict_derives_what_follows() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    result = create_validation_dict({"phase": "gold", "step_name": "daily", "input_rows": 8,
                                     "valid_rows": 7, "threshold": 87.5,
                                     "start_time": start,
                                     "end_time": start + timedelta(seconds=3)})
    assert (result["invalid_rows"], result["validation_rate"], result["passed"]) == (1, 87.5, True)
    assert result["duration_secs"] == 3.0 and result["stage"] == "gold"


def test_validation_rate_is_100_for_zero_rows() -> None:
    result = create_validation_dict({"stage": "silver", "step": "s", "total_rows": 0,
                                     "valid_rows": 0, "threshold": 99.0, "duration_secs": 0})
    assert result["validation_rate"] == 100.0 and result["passed"] is True


def test_validation_dict_names_every_missing_field() -> None:
    with pytest.raises(ValueError) as info:
        create_validation_dict({"stage": "bronze", "total_rows": 3})
    message = str(info.value)
    for name in ("step", "valid_rows", "threshold", "duration_secs"):
        assert name in message
    assert "it has: stage, total_rows" in message
    with pytest.raises(ValueError, match="threshold"):
        create_validation_dict(StageStats("silver", "s", 1, 1, 0, 100.0, 0.1))
    with pytest.raises(ValueError, match="is None"):
        create_validation_dict(None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"invalid_rows": 2}, r"valid_rows \(9\) \+ invalid_rows \(2\) != total_rows \(10\)"),
        ({"valid_rows": -1, "invalid_rows": 11}, "non-negative integer"),
        ({"total_rows": 1.5}, "non-negative integer"),
        ({"validation_rate": 120.0}, "percentage between 0 and 100"),
        ({"threshold": -5}, "percentage between 0 and 100"),
        ({"step": None}, "lacks step"),
    ],
)
def test_validation_dict_rejects_inconsistent_input(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_validation_dict({**FULL, **change})


def test_write_dict_from_an_object() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    result = create_write_dict(WriteResult("silver.events", Mode.OVERWRITE, 42, start,
                                           start + timedelta(seconds=2.5), True))
    assert result == {"table_fqn": "silver.events", "write_mode": "overwrite", "rows_written": 42,
                      "duration_secs": 2.5, "success": True, "error": None}
    assert tuple(result) == WRITE_KEYS


def test_write_dict_from_a_failed_write_with_an_exception() -> None:
    result = create_write_dict({"fqn": "gold.daily", "mode": "append", "duration": 0.5,
                                "error": ValueError("disk full")})
    assert result == {"table_fqn": "gold.daily", "write_mode": "append", "rows_written": 0,
                      "duration_secs": 0.5, "success": False, "error": "ValueError: disk full"}


def test_write_dict_derives_success_from_a_null_error() -> None:
    result = create_write_dict({"table_name": "t", "write_mode": "merge", "rows": 3,
                                "duration_secs": 1, "error": None})
    assert result["success"] is True and result["error"] is None


def test_write_dict_errors() -> None:
    with pytest.raises(ValueError, match="lacks table_fqn, rows_written, duration_secs, success"):
        create_write_dict({"write_mode": "append"})
    with pytest.raises(ValueError, match="says success but carries an error"):
        create_write_dict({"table_fqn": "t", "write_mode": "append", "rows_written": 1,
                           "duration_secs": 1, "success": True, "error": "boom"})
    with pytest.raises(ValueError, match="lacks error"):
        create_write_dict({"table_fqn": "t", "write_mode": "append", "rows_written": 0,
                           "duration_secs": 1, "success": False})
