"""The rules log: one row per rule of every validated step per run, beside the run log.

Input: a finished (or failed) `RunReport` whose outcomes carry their `RuleCount`s. Output: rows of
`RULES_LOG_SCHEMA` appended, in the same `finally` as the run log, to `<log_table>_rules`. The run
log's own schema (`runlog.LOG_SCHEMA`) stays as it is; join the two on `run_id` and `step_name`.
A rule that failed no row still gets its row (failed_rows 0), so a rule's history has no gaps.

    run_id  step_name     rule             column  action  failed_rows  input_rows
    7f3...  clean_orders  amount:positive  amount  drop    12           1204
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pyspark.sql import SparkSession

from sparkforge_runtime.appends import append
from sparkforge_runtime.tables import ensure_schema, schema, split_fqn

if TYPE_CHECKING:
    from sparkforge_runtime.outcome import RunReport
    from sparkforge_runtime.plan import Pipeline

RULES_SUFFIX = "_rules"

RULES_LOG_SCHEMA = schema(
    "run_id string!, pipeline_name string!, run_mode string!, run_started_at timestamp!, "
    "phase string!, step_name string!, stage_index integer!, rule string!, column_name string!, "
    "action string!, failed_rows long!, input_rows long!, failure_rate double!, engine string!"
)
RULES_LOG_COLUMNS = tuple(RULES_LOG_SCHEMA.names)


def rules_table(log_table: str) -> str:
    """`shop.pipeline_logs` -> `shop.pipeline_logs_rules`."""
    return f"{log_table}{RULES_SUFFIX}"


def rule_log_rows(report: RunReport, pipeline: Pipeline, engine: str) -> list[tuple[Any, ...]]:
    """One tuple per rule of each step that counted its rows, in stage order, then step, then rule."""
    started = report.started_at.replace(tzinfo=None)
    rows = []
    for o in sorted(report.outcomes.values(), key=lambda o: (o.stage_index, o.name)):
        for r in o.rule_counts:
            rate = 0.0 if o.input_rows == 0 else round(r.failed_rows * 100.0 / o.input_rows, 4)
            rows.append(
                (report.run_id, pipeline.name, report.mode.value, started, o.layer, o.name,
                 o.stage_index, r.label, r.column, r.action, r.failed_rows, o.input_rows, rate, engine)
            )  # fmt: skip
    return rows


def append_rule_log(spark: SparkSession, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append `rows` to `table` (created on first use) as one Delta write."""
    if not rows:
        return
    ensure_schema(spark, split_fqn(table)[0])
    df = spark.createDataFrame(list(rows), RULES_LOG_SCHEMA)
    append(df, table, mergeSchema="true")
