"""LogWriter: append run-log rows (one per step per run) to a Delta table.

Input: `ExecutionResult` / `StepExecutionResult` objects. Output: rows of `PIPELINE_LOG_SCHEMA`, the
same rows the runner and compiled jobs write at the end of every run (built by the same runtime code).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from sparkforge_runtime.outcome import RunReport, Status, StepOutcome
from sparkforge_runtime.plan import Mode, Pipeline, Plan
from sparkforge_runtime.runlog import LOG_SCHEMA, log_rows
from sparkforge_runtime.tables import ensure_schema, split_fqn

from sparkforge.exceptions import TableOperationError
from sparkforge.models import ExecutionResult, StepExecutionResult
from sparkforge.security.checks import check_table_name
from sparkforge.security.errors import name_error

PIPELINE_LOG_SCHEMA = LOG_SCHEMA


def _epoch(value: datetime | None) -> float:
    return value.timestamp() if value else 0.0


def _outcome(result: StepExecutionResult, stage_index: int) -> StepOutcome:
    validation = result.validation_result
    return StepOutcome(
        name=result.step_name,
        layer=result.step_type.value,
        stage_index=stage_index,
        status=Status(result.status.value),
        start_time=_epoch(result.start_time),
        end_time=_epoch(result.end_time),
        table_fqn=result.table_fqn,
        write_mode=result.write_mode,
        input_rows=validation.total_rows if validation else 0,
        valid_rows=validation.valid_rows if validation else 0,
        invalid_rows=validation.invalid_rows if validation else 0,
        rows_written=result.rows_written,
        threshold=validation.threshold if validation else 0.0,
        previous_watermark=result.previous_watermark,
        new_watermark=result.new_watermark,
        error_type=None if result.status.value == "completed" else result.status.value,
        error_message=result.error_message,
    )


class LogWriter:
    """Writes run-log rows to `table_name` (Delta by default, Parquet with use_delta=False)."""

    def __init__(
        self, spark: SparkSession, table_name: str = "default.pipeline_logs", use_delta: bool = True
    ) -> None:
        if (problem := check_table_name(table_name)) is not None:
            raise name_error(problem)
        self.spark = spark
        self.table_name = table_name
        self.use_delta = use_delta

    def log_pipeline_execution(
        self, result: ExecutionResult, *, pipeline_name: str = "pipeline", engine: str = "interpreted"
    ) -> int:
        """Append one row per step of `result`; returns the number of rows written."""
        report = RunReport(
            run_id=result.run_id or str(uuid.uuid4()),
            mode=Mode.parse(result.mode or "initial"),
            started_at=result.started_at or datetime.now(UTC),
            ended_at=result.ended_at,
        )
        for i, step in enumerate(result.step_results.values(), start=1):
            report.outcomes[step.step_name] = _outcome(step, i)
        return self._append(report, pipeline_name, engine)

    def log_step_execution(
        self, step_result: StepExecutionResult, *, run_id: str | None = None,
        pipeline_name: str = "pipeline", mode: str = "initial",
    ) -> int:
        """Append one row for a single step."""
        report = RunReport(
            run_id=run_id or str(uuid.uuid4()),
            mode=Mode.parse(mode),
            started_at=step_result.start_time or datetime.now(UTC),
            ended_at=step_result.end_time,
        )
        report.outcomes[step_result.step_name] = _outcome(step_result, 1)
        return self._append(report, pipeline_name, "interpreted")

    def read(self) -> DataFrame:
        return self.spark.table(self.table_name)

    def _append(self, report: RunReport, pipeline_name: str, engine: str) -> int:
        rows = log_rows(report, Plan(()), Pipeline(pipeline_name), engine)
        ensure_schema(self.spark, split_fqn(self.table_name)[0])
        fmt = "delta" if self.use_delta else "parquet"
        try:
            df = self.spark.createDataFrame(rows, PIPELINE_LOG_SCHEMA)
            df.write.format(fmt).mode("append").saveAsTable(self.table_name)
        except Exception as exc:
            raise TableOperationError(f"appending to log table {self.table_name} failed: {exc}") from exc
        return len(rows)
