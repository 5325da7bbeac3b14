"""Incremental reads: rows newer than where a table's last run stopped, recorded with its writes.

Input: a step's `StepRun` and the columns its `@step(watermark=...)` and silver steps name. Output:
the watermark a silver table's newest commit recorded (atomic with its rows; else its newest value),
the rows newer than it, and the newest value a bronze step read, which its silvers record next.

    wm = run.watermark("shop.clean", "ts")  ->  "2024-05-01 10:00:00"   (read once per run)
    run.newer_than(df, "ts", wm)            ->  the rows with a later ts
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DataType

from sparkforge_runtime.connect import set_job_group
from sparkforge_runtime.rules import VALID_FLAG
from sparkforge_runtime.steprun import StepRunLike
from sparkforge_runtime.tables import last_commit, table_exists

WATERMARK_KEY = "sparkforge.watermark"
WATERMARK_JOB_GROUP = "sparkforge:watermark:"


@dataclass(slots=True)
class Watermarks:
    """A run's watermarks: those read (table -> its value, read once), the newest each bronze
    step read."""

    read: dict[str, Future[Any]] = field(default_factory=dict)
    high_water: dict[str, str | None] = field(default_factory=dict)


def newest(flagged: DataFrame, column: str | None) -> list[Column]:
    """The aggregates, in `validate`'s one job, of the newest `column` of the valid rows (the
    step's new watermark) and of every row read, valid or not (what its silvers record)."""
    if not column or column not in flagged.columns:
        return []
    valid_newest = F.max(F.when(F.col(VALID_FLAG), F.col(column)))
    return [valid_newest.alias("wm"), F.max(F.col(column)).cast("string").alias("read_wm")]


def note_newest(run: StepRunLike, metrics: Mapping[str, Any]) -> None:
    """Record what `newest` measured on the outcome, and a bronze step's newest value on the run."""
    o = run.outcome
    if metrics.get("wm") is not None:
        o.new_watermark = str(metrics["wm"])
    o.high_water = metrics.get("read_wm")
    if run.info.layer == "bronze":
        with run.state.lock:
            run.state.watermarks.high_water[run.info.name] = o.high_water


class WatermarkVerbs:
    """The verbs of incremental reads, mixed into `verbs.StepRun`."""

    __slots__ = ()

    def newer_than(self: StepRunLike, df: DataFrame, column: str, watermark: Any) -> DataFrame:
        """The rows whose `column` is newer than `watermark`; all rows when it is None."""
        if watermark is None:
            return df
        self.outcome.previous_watermark = str(watermark)
        return df.filter(df[column] > F.lit(watermark).cast(df.schema[column].dataType))

    def watermark(self: StepRunLike, table: str, column: str) -> Any:
        """Where a silver table's last run stopped: the bronze watermark its newest commit recorded
        (atomic with its rows), else the newest `column` in it; None when it is empty or missing.
        Read once per run, before the step writes."""
        return _read(self, ((table, column),))[0]

    def oldest_watermark(self: StepRunLike, *tables: tuple[str, str]) -> Any:
        """The oldest watermark of these (table, column) pairs, read side by side; None when any
        starts afresh."""
        marks = _read(self, tables)
        return None if not marks or any(m is None for m in marks) else min(marks)

    def covered(self: StepRunLike, bronze: str, since: Any) -> Any:
        """The newest bronze watermark this run offered: what the silver write records."""
        high_water = self.state.watermarks.high_water
        if bronze not in high_water:
            return None  # the bronze did not run: record nothing, the next run uses max(column)
        return high_water[bronze] or since

    def rows_since(self: StepRunLike, name: str, table: str, column: str, since: Any) -> DataFrame:
        """An appending upstream's rows newer than `since`, read from its table (so rows it
        appended in a run where this step failed still arrive); this run's output when None."""
        if since is None:
            return self.output(name)
        return self.newer_than(self.spark.table(table), column, since)


def _read(run: StepRunLike, pairs: Sequence[tuple[str, str]]) -> list[Any]:
    """The watermarks of (table, column) pairs, each read once per run: those no step read yet
    are read now, side by side, each in a thread and job group of its own."""
    state, mine = run.state, dict[str, tuple[str, Future[Any]]]()  # table -> (column, value)
    with state.lock:
        for table, column in pairs:
            if table not in state.watermarks.read:
                future: Future[Any] = Future()
                state.watermarks.read[table], mine[table] = future, (column, future)
        found = [state.watermarks.read[table] for table, _ in pairs]
    if mine:
        with ThreadPoolExecutor(max_workers=len(mine), thread_name_prefix="sparkforge-wm") as pool:
            list(pool.map(lambda item: _settle(run, item[0], *item[1]), mine.items()))
    return [future.result() for future in found]


def _settle(run: StepRunLike, table: str, column: str, future: Future[Any]) -> None:
    try:
        set_job_group(run.spark, f"{WATERMARK_JOB_GROUP}{table}", f"newest {column} of {table}")
        future.set_result(_recorded(run.spark, table, column, run.state.table_format))
    except Exception as exc:
        future.set_exception(exc)


def _recorded(spark: SparkSession, table: str, column: str, table_format: str) -> Any:
    """The watermark the newest commit of `table` recorded, typed like `column`; else max(column)."""
    found = last_commit(spark, table) if table_format == "delta" else None
    value = found[1].get(WATERMARK_KEY) if found else None
    if value is None:
        return _max_value(spark, table, column)
    fields = {f.name: f.dataType for f in spark.table(table).schema.fields}
    if column not in fields:
        return value
    try:
        return _typed(spark, str(value), fields[column])
    except (KeyError, ValueError, ArithmeticError):  # a form Python does not parse: Spark casts it
        one = spark.createDataFrame([(value,)], "v string").select(F.col("v").cast(fields[column]))
        return one.first()["v"]  # type: ignore[index]


def _typed(spark: SparkSession, value: str, dtype: DataType) -> Any:
    """`value`, as Spark renders a value of `dtype` in a string, as the Python value a row of
    `dtype` holds (a timestamp: naive, in this process's local time), without a Spark job."""
    kind = type(dtype).__name__
    if kind == "TimestampType":  # rendered in the session's time zone
        zone = ZoneInfo(spark.conf.get("spark.sql.session.timeZone") or "UTC")
        return datetime.fromisoformat(value).replace(tzinfo=zone).astimezone().replace(tzinfo=None)
    return _PARSERS[kind](value)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "StringType": str, "ByteType": int, "ShortType": int, "IntegerType": int, "LongType": int,
    "FloatType": float, "DoubleType": float, "DecimalType": Decimal, "DateType": date.fromisoformat,
    "TimestampNTZType": datetime.fromisoformat,
}  # fmt: skip


def _max_value(spark: SparkSession, fqn: str, column: str) -> Any:
    """The largest `column` in table `fqn`, or None when the table is missing or empty."""
    if not table_exists(spark, fqn):
        return None
    table = spark.table(fqn)
    if column not in table.columns:
        return None
    return table.agg(F.max(F.col(column)).alias("m")).first()["m"]  # type: ignore[index]
