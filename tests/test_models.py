"""Models: enum values, validated configurations, result defaults (no Spark needed)."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta

import pytest
from sparkforge.exceptions import ConfigurationError, PipelineValidationError
from sparkforge.ir import Layer
from sparkforge.ir import WriteMode as IrWriteMode
from sparkforge.models import (
    ExecutionMode,
    ExecutionResult,
    ParallelConfig,
    PipelineMetrics,
    StageStats,
    StepExecutionResult,
    StepStatus,
    StepType,
    UnifiedExecutionResult,
    ValidationResult,
    ValidationThresholds,
    WriteMode,
)


def test_enum_members_and_values() -> None:
    assert [m.name for m in StepType] == ["BRONZE", "SILVER", "GOLD"]
    # `skipped`: an incremental run found nothing new for the step (docs/runner.md)
    assert [m.value for m in StepStatus] == ["pending", "running", "completed", "failed", "cancelled", "skipped"]
    assert [m.name for m in ExecutionMode] == ["SEQUENTIAL", "PARALLEL", "ADAPTIVE", "BATCH"]
    assert [m.name for m in WriteMode] == ["OVERWRITE", "APPEND", "MERGE"]
    assert WriteMode is IrWriteMode
    assert StepType("silver") is StepType.SILVER
    assert StepType.GOLD == Layer.GOLD == "gold"


def test_thresholds_defaults_and_for_layer() -> None:
    t = ValidationThresholds()
    assert (t.bronze, t.silver, t.gold) == (95.0, 98.0, 99.0)
    custom = ValidationThresholds(bronze=0, silver=50.5, gold=100)
    assert custom.for_layer("bronze") == 0.0
    assert custom.for_layer(StepType.SILVER) == 50.5
    assert custom.for_layer(Layer.GOLD) == 100.0
    with pytest.raises(ConfigurationError, match="unknown layer 'platinum'"):
        custom.for_layer("platinum")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.bronze = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("value", [-0.1, 100.01, 250, math.nan, "95", None, True])
def test_thresholds_out_of_range(value: object) -> None:
    with pytest.raises(ConfigurationError, match="silver must be"):
        ValidationThresholds(silver=value)  # type: ignore[arg-type]


def test_parallel_config() -> None:
    c = ParallelConfig()
    assert (c.max_workers, c.enable_parallel_execution, c.enable_dependency_optimization) == (
        4, True, True
    )
    assert ParallelConfig(max_workers=1).max_workers == 1
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ConfigurationError, match="max_workers must be an integer >= 1"):
            ParallelConfig(max_workers=bad)  # type: ignore[arg-type]
    assert issubclass(ConfigurationError, PipelineValidationError)


def test_result_defaults_and_fields() -> None:
    stats = StageStats("silver", "clean", 10, 8, 2, 80.0, 0.5)
    vr = ValidationResult(True, 100.0, 95.0, 0, 0, 0)
    assert vr.failed_rule_counts == {} and vr.stage is None
    step = StepExecutionResult(step_name="clean", step_type=StepType.SILVER)
    assert step.status is StepStatus.PENDING and not step.success
    step.status = StepStatus.COMPLETED
    assert step.success
    names = {f.name for f in dataclasses.fields(StepExecutionResult)}
    assert {"rows_written", "table_fqn", "write_mode", "start_time", "end_time",
            "previous_watermark", "new_watermark", "validation_result"} <= names
    metrics = PipelineMetrics()
    assert metrics.step_durations == {} and metrics.max_concurrency == 0
    assert stats.validation_rate == 80.0


def test_execution_result_duration_and_unified_subclass() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    result = ExecutionResult(success=True, started_at=start, ended_at=start + timedelta(seconds=3))
    assert result.duration_seconds == 3.0
    assert result.failed_steps == [] and result.step_results == {}
    assert ExecutionResult(success=False, metrics=PipelineMetrics(total_duration=2.0)).duration_seconds == 2.0
    unified = UnifiedExecutionResult(success=True, max_concurrency=3, parallel_efficiency=180.0)
    assert isinstance(unified, ExecutionResult)
    assert (unified.max_concurrency, unified.parallel_efficiency) == (3, 180.0)
    # two results never share their mutable defaults
    a, b = ExecutionResult(success=True), ExecutionResult(success=True)
    a.failed_steps.append("x")
    assert b.failed_steps == []
