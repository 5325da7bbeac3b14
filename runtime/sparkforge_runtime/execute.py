"""Run one step: read or transform, validate in the same pass as the write, gate, publish.

Input: a `StepSpec`, the outputs of the steps it depends on, the run's mode. Output: a `StepOutcome`.

Gating is write-audit-publish without a staging table: the validated rows are persisted in Spark's
cache by one job that also yields the counts (total, valid, newest watermark); the table is written
from that cache only when the rate passes. The input is read once, and readers of the target never
see a version from a step that failed its threshold.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from sparkforge_runtime.errors import RuleColumnError, StepInputError, TransformError
from sparkforge_runtime.rules import VALID_FLAG, predicate
from sparkforge_runtime.specs import Mode, StepOutcome, StepSpec
from sparkforge_runtime.tables import last_commit_metadata, max_value, read_source, write_table

OBSERVATION_TIMEOUT = 120.0
WATERMARK_KEY = "sparkforge.watermark"


class ThresholdError(Exception):
    """The valid rate of a step is below its threshold; nothing was written."""


class DeclaredInputs(dict[str, DataFrame]):
    """`silvers` / `prior_silvers`: reading an undeclared step says which argument to add."""

    def __init__(self, data: Mapping[str, DataFrame], *, step: str, argument: str) -> None:
        super().__init__(data)
        self._step = step
        self._argument = argument

    def __missing__(self, key: str) -> DataFrame:
        raise StepInputError(
            f"step {self._step!r} reads {key!r}, which it does not declare; add {key!r} to "
            f"{self._argument} of step {self._step!r}"
        )


def check_rule_columns(df: DataFrame, spec: StepSpec) -> None:
    missing = sorted({r.column for r in spec.rules} - set(df.columns))
    if missing:
        raise RuleColumnError(
            f"{spec.layer} step {spec.name!r}: rules name columns the data lacks: {missing}; "
            f"available columns: {sorted(df.columns)}"
        )


def _project(df: DataFrame, spec: StepSpec) -> DataFrame:
    if spec.keep_columns is None:
        return df
    keep = set(spec.keep_columns)
    return df.select(*[c for c in df.columns if c in keep])


def validate(
    df: DataFrame, spec: StepSpec, outcome: StepOutcome, *, watermark_col: str | None
) -> tuple[DataFrame, DataFrame]:
    """Flag and persist the rows, and count them in the same single job; gate on the rate.

    Returns the valid rows (served from the cache) and the persisted frame, which the caller
    unpersists when the run is over.
    """
    check_rule_columns(df, spec)
    flagged = _project(df, spec).withColumn(VALID_FLAG, predicate(spec.rules))
    flagged = flagged.persist(StorageLevel.MEMORY_AND_DISK)
    metrics = _scan(flagged, spec.name, watermark_col)
    outcome.input_rows = int(metrics["total"])
    outcome.valid_rows = int(metrics["valid"])
    outcome.invalid_rows = outcome.input_rows - outcome.valid_rows
    if metrics.get("wm") is not None:
        outcome.new_watermark = str(metrics["wm"])
        outcome.high_water = metrics["wm_text"]
    outcome.threshold = spec.threshold
    if outcome.validation_rate < spec.threshold:
        flagged.unpersist()
        raise ThresholdError(
            f"[{spec.layer}:{spec.name}] validation {outcome.validation_rate:.2f}% below required "
            f"{spec.threshold:.2f}% ({outcome.invalid_rows} of {outcome.input_rows} rows invalid)"
        )
    return flagged.filter(F.col(VALID_FLAG)).drop(VALID_FLAG), flagged


def _scan(flagged: DataFrame, step: str, watermark_col: str | None) -> dict[str, Any]:
    """One job: materialise the cache through the no-op sink, observing the counts on the way."""
    aggs = [F.count(F.lit(1)).alias("total"), F.count_if(F.col(VALID_FLAG)).alias("valid")]
    if watermark_col and watermark_col in flagged.columns:
        newest = F.max(F.when(F.col(VALID_FLAG), F.col(watermark_col)))
        aggs += [newest.alias("wm"), newest.cast("string").alias("wm_text")]
    observation = Observation(f"sparkforge_{step}_{uuid.uuid4().hex[:8]}")
    flagged.observe(observation, *aggs).write.format("noop").mode("overwrite").save()
    return observed(observation, step)


def observed(observation: Observation, step: str, timeout: float = OBSERVATION_TIMEOUT) -> dict[str, Any]:
    """`Observation.get` with a timeout: it can block forever when metrics never arrive."""
    box: dict[str, Any] = {}
    waiter = threading.Thread(target=lambda: box.update(observation.get), daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive() or not box:
        raise RuntimeError(
            f"step {step!r}: validation metrics did not arrive within {timeout:.0f}s; check that "
            "spark.sql.adaptive.optimizer.excludedRules includes AQEPropagateEmptyRelation"
        )
    return box


def newer_than(df: DataFrame, column: str, watermark: Any) -> DataFrame:
    """The rows of `df` whose `column` is newer than `watermark` (a value or its text)."""
    return df.filter(df[column] > F.lit(watermark).cast(df.schema[column].dataType))


def read_bronze(
    spark: SparkSession,
    spec: StepSpec,
    outcome: StepOutcome,
    *,
    source: Any,
    watermark: Any,
) -> DataFrame:
    """Read the input: only rows newer than `watermark` when one is given."""
    df = read_source(spark, source if source is not None else spec.table, step=spec.name)
    if watermark is not None and spec.incremental_col:
        outcome.previous_watermark = str(watermark)
        df = newer_than(df, spec.incremental_col, watermark)
    return df


def call_transform(spec: StepSpec, *args: Any) -> DataFrame:
    assert spec.transform is not None
    try:
        result = spec.transform(*args)
    except (StepInputError, RuleColumnError):
        raise
    except Exception as exc:
        raise TransformError(
            f"{spec.layer} step {spec.name!r}: transform {getattr(spec.transform, '__name__', '?')} "
            f"raised {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(result, DataFrame):
        raise TransformError(
            f"{spec.layer} step {spec.name!r}: transform must return a DataFrame, "
            f"got {type(result).__name__}; end the function with `return df`"
        )
    return result


def publish(
    df: DataFrame, spec: StepSpec, outcome: StepOutcome, mode: str, *, watermark: Any = None
) -> None:
    """Write the valid rows; `watermark` (the newest input watermark they cover) goes into the commit."""
    outcome.table_fqn = spec.table
    outcome.write_mode = mode
    write_table(
        df,
        spec.table,
        mode=mode,
        table_format=spec.table_format,
        merge_keys=spec.merge_keys,
        step=spec.name,
        commit_metadata=watermark_metadata(watermark) if watermark is not None else None,
    )
    outcome.rows_written = outcome.valid_rows


def write_mode_for(spec: StepSpec, run_mode: Mode, incremental: bool) -> str:
    """Overwrite, except incremental silver steps, which append (or merge when declared)."""
    if run_mode is Mode.INCREMENTAL and incremental:
        return "merge" if spec.write_mode == "merge" else "append"
    return "overwrite"


def watermark_metadata(watermark: Any) -> str:
    return json.dumps({WATERMARK_KEY: str(watermark)})


def previous_watermark(spark: SparkSession, spec: StepSpec, column: str) -> Any:
    """Where the step's last run stopped: the input watermark its last commit recorded.

    A silver step records, in the Delta commit that writes its rows, the newest bronze watermark
    those rows were computed from. Rows its transform dropped (a filter) are then not read again,
    and the record is atomic with the rows. Tables without such a commit (Parquet, another
    writer's last commit) fall back to the newest value of `column` in the table.
    """
    recorded = last_commit_metadata(spark, spec.table) if spec.table_format == "delta" else None
    if recorded:
        try:
            value = json.loads(recorded).get(WATERMARK_KEY)
        except (ValueError, AttributeError):
            value = None
        if value is not None:
            return _typed(spark, value, spec.table, column)
    return max_value(spark, spec.table, column)


def _typed(spark: SparkSession, text: str, table: str, column: str) -> Any:
    """A recorded watermark as a value of the table column's type (as `max_value` returns it), so
    that watermarks from records and from `max_value` compare with each other."""
    fields = {f.name: f.dataType for f in spark.table(table).schema.fields}
    if column not in fields:
        return text
    one = spark.createDataFrame([(text,)], "v string").select(F.col("v").cast(fields[column]))
    return one.first()["v"]  # type: ignore[index]
