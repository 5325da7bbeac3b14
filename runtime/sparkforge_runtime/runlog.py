"""The run log: one row per step per run, appended once per run as a Delta table.

Input: a finished (or failed) `RunReport`. Output: rows of `LOG_SCHEMA` appended to the log table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pyspark.sql import SparkSession

from sparkforge_runtime.appends import append
from sparkforge_runtime.tables import ensure_schema, quote_fqn, schema, split_fqn, table_exists

if TYPE_CHECKING:
    from sparkforge_runtime.outcome import RunReport
    from sparkforge_runtime.plan import Pipeline, Plan

LOG_JOB_GROUP = "sparkforge:run-log"
LOG_SCHEMA = schema(
    "run_id string!, pipeline_name string!, run_mode string!, run_started_at timestamp!, "
    "run_ended_at timestamp, phase string!, step_name string!, stage_index integer!, status string!, "
    "start_time timestamp, end_time timestamp, duration_secs double!, table_fqn string, "
    "write_mode string, input_rows long!, valid_rows long!, invalid_rows long!, rows_written long!, "
    "validation_rate double!, threshold double!, validation_passed boolean!, "
    "previous_watermark string, new_watermark string, error_type string, error_message string, "
    "engine string!, source_hash string!, "
    # Added later, at the end so that older log tables gain them (mergeSchema): incremental refresh.
    "note string, groups_refreshed long"
)
LOG_COLUMNS = tuple(LOG_SCHEMA.names)


def _ts(epoch: float) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None) if epoch else None


def log_rows(report: RunReport, plan: Plan, pipeline: Pipeline, engine: str) -> list[tuple[Any, ...]]:
    """One tuple per step, in stage order then name, matching `LOG_SCHEMA`."""
    started = report.started_at.replace(tzinfo=None)
    ended = report.ended_at.replace(tzinfo=None) if report.ended_at else None
    tables = {s.name: s.info.table for s in plan.steps}
    rows = []
    for o in sorted(report.outcomes.values(), key=lambda o: (o.stage_index, o.name)):
        table = o.table_fqn or tables.get(o.name)
        rows.append(
            (
                report.run_id, pipeline.name, report.mode.value, started, ended,
                o.layer, o.name, o.stage_index, o.status.value, _ts(o.start_time), _ts(o.end_time),
                round(o.duration_secs, 3), table, o.write_mode, o.input_rows, o.valid_rows,
                o.invalid_rows, o.rows_written, round(o.validation_rate, 4), float(o.threshold),
                o.validation_passed, o.previous_watermark, o.new_watermark, o.error_type,
                o.error_message, engine, pipeline.source_hash, o.note, o.groups_refreshed,
            )
        )
    return rows


def ensure_log_table(spark: SparkSession, table: str) -> None:
    """Create the (empty) log table when it does not exist yet; an existing one is left as it is."""
    if table_exists(spark, table):
        return
    ensure_schema(spark, split_fqn(table)[0])
    columns = ", ".join(
        f"`{f.name}` {f.dataType.simpleString()}{'' if f.nullable else ' NOT NULL'}"
        for f in LOG_SCHEMA.fields
    )
    spark.sql(f"CREATE TABLE IF NOT EXISTS {quote_fqn(table)} ({columns}) USING delta")


def append_log(spark: SparkSession, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append `rows` to `table` (created on first use) as one Delta write."""
    if not rows:
        return
    ensure_schema(spark, split_fqn(table)[0])
    df = spark.createDataFrame(list(rows), LOG_SCHEMA)
    append(df, table, mergeSchema="true")
