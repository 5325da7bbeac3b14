"""The verbs a step function is written in: read, keep newer rows, validate, gate, publish.

Input: a `RunState` (what this run has done so far) and the step's `StepInfo`. Output: DataFrames,
the step's `StepOutcome`, and its table written. The verbs decide nothing per step: which rows a
step reads, its rules, its threshold and its write are the arguments the step function passes.

Validation is one pass: `validate` flags every row, persists the flagged rows, and counts total and
valid rows (and the newest watermark) in the one job that fills the cache. `gate` then compares the
rate with the threshold, and `publish` writes the valid rows from the cache only when it passed:
write-audit-publish without a staging table, so readers never see rows of a failed step.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge_runtime import groups as refresh
from sparkforge_runtime.connect import measured, set_job_group
from sparkforge_runtime.errors import (
    RuleColumnError,
    StepInputError,
    ThresholdError,
    TransformError,
)
from sparkforge_runtime.guards import check_write, small_increment
from sparkforge_runtime.outcome import StepOutcome
from sparkforge_runtime.plan import Mode, StepInfo
from sparkforge_runtime.quarantine import QuarantineVerbs
from sparkforge_runtime.rulecounts import fail_breach, failure_counts, rule_counts
from sparkforge_runtime.rules import VALID_FLAG, Rule, predicate
from sparkforge_runtime.tables import last_commit_metadata, max_value, read_source, write_table
from sparkforge_runtime.tables_txn import txn_options

WATERMARK_KEY = "sparkforge.watermark"
WATERMARK_JOB_GROUP = "sparkforge:watermark:"


@dataclass(slots=True)
class RunState:
    """What the steps of one run share: bound inputs, outputs, caches, watermarks read."""

    spark: SparkSession
    mode: Mode
    log: logging.Logger
    table_format: str = "delta"
    sources: Mapping[str, Any] = field(default_factory=dict)
    outputs: dict[str, DataFrame] = field(default_factory=dict)
    cached: dict[str, DataFrame] = field(default_factory=dict)
    replaced: set[str] = field(default_factory=set)  # steps that overwrote their table
    high_water: dict[str, str | None] = field(default_factory=dict)
    watermarks: dict[str, Any] = field(default_factory=dict)
    allow_empty: bool = False  # replace a table that has rows with none
    min_rows: int = 20  # incremental runs: below this many rows a threshold breach only warns
    pipeline: str = ""
    txn_version: int | None = None  # the run's lease generation: Delta skips a retried write
    lock: threading.Lock = field(default_factory=threading.Lock)
    run_id: str = ""
    refresh: bool = False  # never skip, never refresh by groups (--refresh)
    received: dict[str, int] = field(default_factory=dict)  # rows each step passed on in this run
    committed: set[str] = field(default_factory=set)  # steps that committed to their table


@dataclass(frozen=True, slots=True)
class Checked:
    """A step's rows after `validate`: flagged and persisted; `valid` reads them from the cache."""

    flagged: DataFrame
    rules: tuple[Rule, ...] = ()

    @property
    def valid(self) -> DataFrame:
        return self.flagged.filter(F.col(VALID_FLAG)).drop(VALID_FLAG)


class DeclaredInputs(dict[str, DataFrame]):
    """`silvers` / `prior_silvers`: reading an undeclared step says which argument to add."""

    def __init__(self, data: Mapping[str, DataFrame], *, step: str, argument: str) -> None:
        super().__init__(data)
        self._step, self._argument = step, argument

    def __missing__(self, key: str) -> DataFrame:
        raise StepInputError(
            f"step {self._step!r} reads {key!r}, which it does not declare; add {key!r} to "
            f"{self._argument} of step {self._step!r}"
        )


@dataclass(slots=True)
class StepRun(refresh.RefreshVerbs, QuarantineVerbs):
    """One step's handle on the run: the verbs, and the outcome they fill in. The verbs of
    incremental refresh (skip, changed_groups, in_groups, publish_groups) are in groups.py,
    `quarantine` is in quarantine.py."""

    state: RunState
    info: StepInfo
    outcome: StepOutcome
    seen: dict[str, Any] = field(default_factory=dict)  # input versions read (groups.py)

    @property
    def spark(self) -> SparkSession:
        return self.state.spark

    @property
    def incremental(self) -> bool:
        return self.state.mode is Mode.INCREMENTAL

    def read(self, table: str) -> DataFrame:
        """A bronze input: the `--source` binding of this step if there is one, else `table`."""
        return read_source(self.spark, self.state.sources.get(self.info.name, table), step=self.info.name)

    def output(self, name: str) -> DataFrame:
        """The valid rows step `name` produced in this run."""
        return self.state.outputs[name]

    def newer_than(self, df: DataFrame, column: str, watermark: Any) -> DataFrame:
        """The rows whose `column` is newer than `watermark`; all rows when it is None."""
        if watermark is None:
            return df
        self.outcome.previous_watermark = str(watermark)
        return df.filter(df[column] > F.lit(watermark).cast(df.schema[column].dataType))

    def watermark(self, table: str, column: str) -> Any:
        """Where a silver table's last run stopped: the bronze watermark its newest commit recorded
        (atomic with its rows), else the newest `column` in it; None when it is empty or missing.
        Read once per run, before the step writes."""
        with self.state.lock:
            if table in self.state.watermarks:
                return self.state.watermarks[table]
            group = f"{WATERMARK_JOB_GROUP}{table}"
            set_job_group(self.spark, group, f"newest {column} of {table}")
            value = _recorded(self.spark, table, column, self.state.table_format)
            set_job_group(self.spark, f"sparkforge:{self.info.name}", f"{self.info.layer} step")
            self.state.watermarks[table] = value
            return value

    def oldest_watermark(self, *tables: tuple[str, str]) -> Any:
        """The oldest watermark of these (table, column) pairs; None when any starts afresh."""
        marks = [self.watermark(table, column) for table, column in tables]
        return None if not marks or any(m is None for m in marks) else min(marks)

    def covered(self, bronze: str, since: Any) -> Any:
        """The newest bronze watermark this run offered: what the silver write records."""
        if bronze not in self.state.high_water:
            return None  # the bronze did not run: record nothing, the next run uses max(column)
        return self.state.high_water[bronze] or since

    def rows_since(self, name: str, table: str, column: str, since: Any) -> DataFrame:
        """An appending upstream's rows newer than `since`, read from its table (so rows it
        appended in a run where this step failed still arrive); this run's output when None."""
        if since is None:
            return self.output(name)
        return self.newer_than(self.spark.table(table), column, since)

    def whole(self, name: str, table: str) -> DataFrame:
        """A silver table as it is after this run's writes: this run's cached rows when the step
        replaced it (or wrote nothing, validating only), else the table itself."""
        if name in self.state.replaced or self.state.mode is Mode.VALIDATION_ONLY:
            return self.output(name)
        return self.spark.table(table)

    def declared(self, inputs: Mapping[str, DataFrame], argument: str) -> DeclaredInputs:
        return DeclaredInputs(inputs, step=self.info.name, argument=argument)

    def validate(
        self,
        df: Any,
        rules: Sequence[Rule],
        *,
        keep: Sequence[str] | None = None,
        watermark: str | None = None,
    ) -> Checked:
        """Flag and persist the rows, counting them in one job. `keep` projects to those columns;
        `watermark` is the column whose newest value is recorded."""
        if not isinstance(df, DataFrame):
            raise TransformError(
                f"{self.info.layer} step {self.info.name!r}: transform must return a DataFrame, "
                f"got {type(df).__name__}; end the function with `return df`"
            )
        missing = sorted({r.column for r in rules} - set(df.columns))
        if missing:
            raise RuleColumnError(
                f"{self.info.layer} step {self.info.name!r}: rules name columns the data lacks: "
                f"{missing}; available columns: {sorted(df.columns)}"
            )
        if keep is not None:
            df = df.select(*[c for c in df.columns if c in set(keep)])
        flagged = df.withColumn(VALID_FLAG, predicate(rules)).persist(StorageLevel.MEMORY_AND_DISK)
        with self.state.lock:
            self.state.cached[self.info.name] = flagged
        self._count(flagged, watermark, rules)
        return Checked(flagged, tuple(rules))

    def _count(self, flagged: DataFrame, watermark: str | None, rules: Sequence[Rule] = ()) -> None:
        aggs = [F.count(F.lit(1)).alias("total"), F.count_if(F.col(VALID_FLAG)).alias("valid")]
        aggs += failure_counts(rules)  # in the same observation: no extra Spark job
        if watermark and watermark in flagged.columns:
            valid_newest = F.max(F.when(F.col(VALID_FLAG), F.col(watermark)))
            read_newest = F.max(F.col(watermark)).cast("string")  # every row read, valid or not
            aggs += [valid_newest.alias("wm"), read_newest.alias("read_wm")]
        metrics = measured(flagged, aggs, self.info.name)
        o = self.outcome
        o.input_rows, o.valid_rows, o.counted = int(metrics["total"]), int(metrics["valid"]), True
        o.invalid_rows = o.input_rows - o.valid_rows
        o.rule_counts = rule_counts(rules, metrics)
        if metrics.get("wm") is not None:
            o.new_watermark = str(metrics["wm"])
        o.high_water = metrics.get("read_wm")
        if self.info.layer == "bronze":
            with self.state.lock:
                self.state.high_water[self.info.name] = o.high_water
            refresh.note_received(self, o.input_rows)
        self.state.log.info(
            "%s %s: %d rows in, %d valid (%.2f%%)",
            self.info.layer, self.info.name, o.input_rows, o.valid_rows, o.validation_rate,
        )  # fmt: skip

    def gate(self, checked: Checked, *, min_rate: float, fail_on: Sequence[str] = ()) -> None:
        """Stop the step, writing nothing, when a rule named in `fail_on` (its action is `fail`)
        failed any row, or when its valid rate is below `min_rate` percent (a step that read only
        a few new rows, `guards.small_increment`, then only warns)."""
        o = self.outcome
        o.threshold = min_rate
        breach = fail_breach(o.rule_failures, fail_on, o.input_rows) or self._below(min_rate)
        if breach is not None:
            checked.flagged.unpersist()
            raise ThresholdError(f"[{o.layer}:{o.name}] {breach}")

    def _below(self, min_rate: float) -> str | None:
        o, log = self.outcome, self.state.log
        if o.validation_rate >= min_rate:
            log.info("%s: %.2f%% valid, at least %.2f%%: passes", o.name, o.validation_rate, min_rate)
            return None
        if small_increment(self.info, self.state.mode, o.input_rows, self.state.min_rows):
            log.warning(
                "%s: %.2f%% valid is below %.2f%%, but on %d rows (fewer than %d in an incremental "
                "run) the valid rows are published and the invalid ones counted", o.name,
                o.validation_rate, min_rate, o.input_rows, self.state.min_rows,
            )  # fmt: skip
            return None
        return (f"validation {o.validation_rate:.2f}% below required {min_rate:.2f}% "
                f"({o.invalid_rows} of {o.input_rows} rows invalid)")  # fmt: skip

    def publish(self, checked: Checked, *, covered: Any = None, evolve: bool = False) -> None:
        """Write the valid rows to the step's table with its write mode for this run mode (none in
        validation-only runs). `covered`, the newest bronze watermark they include, is recorded
        in the same Delta commit. A column whose type would change, or a table that would be
        replaced by no rows, stops the step first (`evolve`, `--allow-empty` allow them)."""
        info, o = self.info, self.outcome
        mode = info.write_mode(self.state.mode)
        if mode is None:
            self.state.log.info("%s: validation only, nothing written", info.name)
            return
        if refresh.nothing_to_append(self, mode, covered):
            return
        check_write(checked.valid, info, mode, o.valid_rows, evolve=evolve, allow_empty=self.state.allow_empty)
        record = {WATERMARK_KEY: str(covered)} if covered is not None else {}
        record.update(refresh.inputs_metadata(self))
        metadata = json.dumps(record) if record else None
        once = txn_options(self.state.pipeline, info.name, self.state.txn_version)
        if evolve and mode == "append":
            once = {**once, "mergeSchema": "true"}  # new columns join the table
        write_table(
            checked.valid, info.table, mode=mode, table_format=self.state.table_format,
            merge_keys=info.merge_keys, step=info.name, commit_metadata=metadata, options=once,
        )  # fmt: skip
        o.table_fqn, o.write_mode, o.rows_written = info.table, mode, o.valid_rows
        if mode == "overwrite":
            with self.state.lock:
                self.state.replaced.add(info.name)
        refresh.note_published(self, mode)
        self.state.log.info("%s: %s %d rows -> %s", info.name, mode, o.rows_written, info.table)


def _recorded(spark: SparkSession, table: str, column: str, table_format: str) -> Any:
    """The watermark the newest commit of `table` recorded, typed like `column`; else max(column)."""
    text = last_commit_metadata(spark, table) if table_format == "delta" else None
    try:
        value = json.loads(text).get(WATERMARK_KEY) if text else None
    except (ValueError, AttributeError):
        value = None
    if value is None:
        return max_value(spark, table, column)
    fields = {f.name: f.dataType for f in spark.table(table).schema.fields}
    if column not in fields:
        return value
    one = spark.createDataFrame([(value,)], "v string").select(F.col("v").cast(fields[column]))
    return one.first()["v"]  # type: ignore[index]
