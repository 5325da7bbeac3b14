"""The public models: enums, configuration objects and the results of a run.

Input: option values from users (configurations, frozen and validated on creation) and measured
values from the runner (results, plain mutable dataclasses). Output: the objects the seed documents:

    ValidationThresholds(bronze=95.0, silver=98.0, gold=99.0).for_layer("silver")  ->  98.0
    ExecutionResult(success=False, failed_steps=["clean"], ...).metrics.total_duration

Enums are string enums, so `StepType.SILVER == "silver"` and `StepType("silver")` both work, and they
compare equal to the pipeline model's `ir.Layer` members of the same name.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sparkforge.exceptions import ConfigurationError
from sparkforge.ir import WriteMode

__all__ = [
    "ExecutionMode",
    "ExecutionResult",
    "ParallelConfig",
    "PipelineMetrics",
    "StageStats",
    "StepExecutionResult",
    "StepStatus",
    "StepType",
    "UnifiedExecutionResult",
    "ValidationResult",
    "ValidationThresholds",
    "WriteMode",
]


class StepType(enum.StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"


class StepStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # incremental run, inputs unchanged: its table was left as it was


class ExecutionMode(enum.StrEnum):
    SEQUENTIAL = "sequential"
    PARALLEL = "parallel"
    ADAPTIVE = "adaptive"
    BATCH = "batch"


def check_rate(name: str, value: object) -> float:
    """`value` as a float when it is a number within 0..100, else a ConfigurationError."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigurationError(f"{name} must be a number from 0 to 100, got {value!r}")
    if not 0.0 <= value <= 100.0:
        raise ConfigurationError(
            f"{name} must be between 0 and 100 (a percentage of valid rows), got {value!r}",
            suggestions=(f"use e.g. {name}={min(100.0, max(0.0, float(value)))}",),
        )
    return float(value)


def check_workers(name: str, value: object) -> int:
    """`value` when it is an integer >= 1, else a ConfigurationError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            f"{name} must be an integer >= 1, got {value!r}",
            suggestions=(f"use {name}=1 to run one step at a time",),
        )
    return value


@dataclass(frozen=True, slots=True)
class ValidationThresholds:
    """Minimum percentage of valid rows per layer; a step passes when its rate >= the threshold."""

    bronze: float = 95.0
    silver: float = 98.0
    gold: float = 99.0

    def __post_init__(self) -> None:
        for layer in ("bronze", "silver", "gold"):
            object.__setattr__(self, layer, check_rate(layer, getattr(self, layer)))

    def for_layer(self, layer: str) -> float:
        """The threshold of `layer` ("bronze", "silver", "gold", or a StepType / ir.Layer)."""
        key = str(layer).lower()
        if key not in ("bronze", "silver", "gold"):
            raise ConfigurationError(
                f"unknown layer {layer!r}", suggestions=("use 'bronze', 'silver' or 'gold'",)
            )
        return float(getattr(self, key))


@dataclass(frozen=True, slots=True)
class ParallelConfig:
    """How many steps of one stage may run at once, and whether stages follow dependencies only."""

    max_workers: int = 4
    enable_parallel_execution: bool = True
    enable_dependency_optimization: bool = True

    def __post_init__(self) -> None:
        check_workers("max_workers", self.max_workers)


@dataclass(slots=True)
class StageStats:
    """Row counts of one validation of one step (`stage` is the layer: bronze, silver or gold)."""

    stage: str
    step: str
    total_rows: int
    valid_rows: int
    invalid_rows: int
    validation_rate: float
    duration_secs: float = 0.0


@dataclass(slots=True)
class ValidationResult:
    """Outcome of checking rows against rules and a threshold (`failed_rule_counts`: label -> rows)."""

    passed: bool
    validation_rate: float
    threshold: float
    total_rows: int
    valid_rows: int
    invalid_rows: int
    failed_rule_counts: dict[str, int] = field(default_factory=dict)
    stage: str | None = None
    step: str | None = None


@dataclass(slots=True)
class StepExecutionResult:
    """What happened to one step in one run. `write_mode` is a WriteMode value ("append" ...)."""

    step_name: str
    step_type: StepType
    status: StepStatus = StepStatus.PENDING
    output_count: int = 0
    duration_seconds: float = 0.0
    validation_result: ValidationResult | None = None
    error_message: str | None = None
    rows_written: int = 0
    table_fqn: str | None = None
    write_mode: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    previous_watermark: str | None = None
    new_watermark: str | None = None
    rule_failures: dict[str, int] = field(default_factory=dict)  # rule label -> rows that failed it
    note: str | None = None  # why the step skipped, or how a gold step was refreshed
    groups_refreshed: int | None = None  # a gold step refreshed by groups: how many

    @property
    def success(self) -> bool:
        return self.status in (StepStatus.COMPLETED, StepStatus.SKIPPED)


@dataclass(slots=True)
class PipelineMetrics:
    """Measured totals of one run; durations in seconds, `parallel_efficiency` in percent."""

    total_duration: float = 0.0
    parallel_efficiency: float = 0.0
    step_durations: dict[str, float] = field(default_factory=dict)
    memory_usage: dict[str, float] = field(default_factory=dict)
    total_steps: int = 0
    successful_steps: int = 0
    failed_steps: int = 0
    cancelled_steps: int = 0
    total_rows_processed: int = 0
    total_rows_written: int = 0
    max_concurrency: int = 0


@dataclass(slots=True)
class ExecutionResult:
    """Result of one pipeline run. `stage_stats` and `step_results` are keyed by step name."""

    success: bool
    error_message: str | None = None
    totals: dict[str, Any] = field(default_factory=dict)
    stage_stats: dict[str, StageStats] = field(default_factory=dict)
    metrics: PipelineMetrics = field(default_factory=PipelineMetrics)
    failed_steps: list[str] = field(default_factory=list)
    step_results: dict[str, StepExecutionResult] = field(default_factory=dict)
    run_id: str = ""
    mode: str = ""
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def duration_seconds(self) -> float:
        if self.started_at is None or self.ended_at is None:
            return self.metrics.total_duration
        return (self.ended_at - self.started_at).total_seconds()


@dataclass(slots=True)
class UnifiedExecutionResult(ExecutionResult):
    """Result of a run scheduled across layers, with how much ran at once."""

    max_concurrency: int = 0
    parallel_efficiency: float = 0.0
