"""From what the runtime measured to the public result models.

Input: a runtime `RunReport` / `StepOutcome`. Output: `ExecutionResult` / `StepExecutionResult` with
the measured counts, rates and durations (never placeholders).
"""

from __future__ import annotations

import dataclasses
import resource
from datetime import UTC, datetime

from sparkforge_runtime.outcome import RunReport, StepOutcome

from sparkforge.models import (
    ExecutionResult,
    PipelineMetrics,
    StageStats,
    StepExecutionResult,
    StepStatus,
    StepType,
    UnifiedExecutionResult,
    ValidationResult,
)


def _dt(epoch: float) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch else None


def validation_result(outcome: StepOutcome) -> ValidationResult:
    return ValidationResult(
        passed=outcome.ok,
        validation_rate=outcome.validation_rate,
        threshold=outcome.threshold,
        total_rows=outcome.input_rows,
        valid_rows=outcome.valid_rows,
        invalid_rows=outcome.invalid_rows,
        failed_rule_counts=outcome.rule_failures,
        stage=outcome.layer,
        step=outcome.name,
    )


def step_result(outcome: StepOutcome) -> StepExecutionResult:
    return StepExecutionResult(
        step_name=outcome.name,
        step_type=StepType(outcome.layer),
        status=StepStatus(outcome.status.value),
        output_count=outcome.valid_rows,
        duration_seconds=outcome.duration_secs,
        validation_result=validation_result(outcome),
        error_message=outcome.error_message,
        rows_written=outcome.rows_written,
        table_fqn=outcome.table_fqn,
        write_mode=outcome.write_mode,
        start_time=_dt(outcome.start_time),
        end_time=_dt(outcome.end_time),
        previous_watermark=outcome.previous_watermark,
        new_watermark=outcome.new_watermark,
        rule_failures=outcome.rule_failures,
        note=outcome.note,
        groups_refreshed=outcome.groups_refreshed,
    )


def _stage_stats(outcome: StepOutcome) -> StageStats:
    return StageStats(
        stage=outcome.layer,
        step=outcome.name,
        total_rows=outcome.input_rows,
        valid_rows=outcome.valid_rows,
        invalid_rows=outcome.invalid_rows,
        validation_rate=outcome.validation_rate,
        duration_secs=outcome.duration_secs,
    )


def _memory_usage() -> dict[str, float]:
    """Peak resident memory of the driver's Python process (the JVM is reported by Spark)."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"driver_python_peak_mb": round(peak_kb / 1024.0, 1)}


def metrics(report: RunReport) -> PipelineMetrics:
    outcomes = list(report.outcomes.values())
    ended = report.ended_at or report.started_at
    wall = max(1e-9, (ended - report.started_at).total_seconds())
    busy = sum(o.duration_secs for o in outcomes)
    counts = {s: sum(1 for o in outcomes if o.status.value == s) for s in ("completed", "failed", "cancelled")}
    return PipelineMetrics(
        total_duration=wall,
        # Step-seconds per wall-second: 100% means one step at a time, 200% two on average.
        parallel_efficiency=round(busy * 100.0 / wall, 2),
        step_durations={o.name: round(o.duration_secs, 4) for o in outcomes},
        memory_usage=_memory_usage(),
        total_steps=len(outcomes),
        successful_steps=counts["completed"],
        failed_steps=counts["failed"],
        cancelled_steps=counts["cancelled"],
        total_rows_processed=sum(o.input_rows for o in outcomes),
        total_rows_written=sum(o.rows_written for o in outcomes),
        max_concurrency=report.max_concurrency,
    )


def execution_result(report: RunReport, *, unified: bool = False) -> ExecutionResult:
    outcomes = list(report.outcomes.values())
    totals = {
        "total_steps": len(outcomes),
        "completed_steps": sum(1 for o in outcomes if o.ok),
        "failed_steps": len(report.failed_steps),
        "cancelled_steps": sum(1 for o in outcomes if o.status.value == "cancelled"),
        "input_rows": sum(o.input_rows for o in outcomes),
        "valid_rows": sum(o.valid_rows for o in outcomes),
        "invalid_rows": sum(o.invalid_rows for o in outcomes),
        "rows_written": sum(o.rows_written for o in outcomes),
    }
    result = ExecutionResult(
        success=report.success,
        error_message=report.error_message,
        totals=totals,
        stage_stats={o.name: _stage_stats(o) for o in outcomes},
        metrics=metrics(report),
        failed_steps=report.failed_steps,
        step_results={o.name: step_result(o) for o in outcomes},
        run_id=report.run_id,
        mode=report.mode.value,
        started_at=report.started_at,
        ended_at=report.ended_at,
    )
    if not unified:
        return result
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    return UnifiedExecutionResult(
        **fields,
        max_concurrency=result.metrics.max_concurrency,
        parallel_efficiency=result.metrics.parallel_efficiency,
    )
