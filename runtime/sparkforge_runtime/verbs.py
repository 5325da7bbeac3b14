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

from sparkforge_runtime import groups
from sparkforge_runtime import watermark as marks
from sparkforge_runtime.connect import measured
from sparkforge_runtime.declared import DeclaredInputs
from sparkforge_runtime.errors import RuleColumnError, ThresholdError, TransformError
from sparkforge_runtime.guards import Guards, check_write, forgiven
from sparkforge_runtime.outcome import StepOutcome
from sparkforge_runtime.plan import Mode, StepInfo
from sparkforge_runtime.quarantine import QuarantineVerbs
from sparkforge_runtime.rulecounts import fail_breach, failure_counts, rule_counts
from sparkforge_runtime.rules import VALID_FLAG, Rule, predicate
from sparkforge_runtime.sources import read_source
from sparkforge_runtime.tables import write_table
from sparkforge_runtime.tables_txn import txn_options


@dataclass(slots=True)
class RunState:
    """What the steps of one run share: bound inputs, outputs, caches, and each feature's state."""

    spark: SparkSession
    mode: Mode
    log: logging.Logger
    table_format: str = "delta"
    sources: Mapping[str, Any] = field(default_factory=dict)
    outputs: dict[str, DataFrame] = field(default_factory=dict)
    cached: dict[str, DataFrame] = field(default_factory=dict)
    replaced: set[str] = field(default_factory=set)  # steps that overwrote their table
    dropped: dict[str, list[str]] = field(default_factory=dict)  # columns `keep` left out, by step
    lock: threading.Lock = field(default_factory=threading.Lock)
    pipeline: str = ""
    run_id: str = ""
    txn_version: int | None = None  # the run's lease generation: Delta skips a retried write
    guards: Guards = field(default_factory=Guards)
    refresh: groups.Refresh = field(default_factory=groups.Refresh)
    watermarks: marks.Watermarks = field(default_factory=marks.Watermarks)


@dataclass(frozen=True, slots=True)
class Checked:
    """A step's rows after `validate`: flagged and persisted; `valid` reads them from the cache."""

    flagged: DataFrame
    rules: tuple[Rule, ...] = ()

    @property
    def valid(self) -> DataFrame:
        return self.flagged.filter(F.col(VALID_FLAG)).drop(VALID_FLAG)


@dataclass(slots=True)
class StepRun(marks.WatermarkVerbs, groups.RefreshVerbs, QuarantineVerbs):
    """One step's handle on the run: the verbs, and the outcome they fill in. The verbs of
    incremental reads (watermark, newer_than, rows_since ...) are in watermark.py, those of
    incremental refresh (skip, changed_groups, in_groups, publish_groups) in groups.py,
    `quarantine` in quarantine.py."""

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
            self.state.dropped[self.info.name] = [c for c in df.columns if c not in keep]
            df = df.select(*[c for c in df.columns if c in keep])
        flagged = df.withColumn(VALID_FLAG, predicate(rules)).persist(StorageLevel.MEMORY_AND_DISK)
        with self.state.lock:
            self.state.cached[self.info.name] = flagged
        self._count(flagged, watermark, rules)
        return Checked(flagged, tuple(rules))

    def _count(self, flagged: DataFrame, watermark: str | None, rules: Sequence[Rule] = ()) -> None:
        aggs = [F.count(F.lit(1)).alias("total"), F.count_if(F.col(VALID_FLAG)).alias("valid")]
        aggs += failure_counts(rules) + marks.newest(flagged, watermark)  # in the same job
        metrics = measured(flagged, aggs, self.info.name)
        o = self.outcome
        o.input_rows, o.valid_rows, o.counted = int(metrics["total"]), int(metrics["valid"]), True
        o.invalid_rows = o.input_rows - o.valid_rows
        o.rule_counts = rule_counts(rules, metrics)
        marks.note_newest(self, metrics)
        if self.info.layer == "bronze":
            groups.note_received(self, o.input_rows)
        self.state.log.info(
            "%s %s: %d rows in, %d valid (%.2f%%)",
            self.info.layer, self.info.name, o.input_rows, o.valid_rows, o.validation_rate,
        )  # fmt: skip

    def gate(self, checked: Checked, *, min_rate: float, fail_on: Sequence[str] = ()) -> None:
        """Stop the step, writing nothing, when a rule named in `fail_on` (its action is `fail`)
        failed any row, or when its valid rate is below `min_rate` percent (a step that read only
        a few new rows, `guards.forgiven`, then only warns)."""
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
        if forgiven(self, min_rate):
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
        if groups.nothing_to_append(self, mode, covered):
            return
        check_write(self, checked.valid, mode, evolve=evolve)
        record = {marks.WATERMARK_KEY: str(covered)} if covered is not None else {}
        record.update(groups.inputs_metadata(self))
        metadata = json.dumps(record) if record else None
        once = txn_options(self.state.pipeline, info.name, self.state.txn_version)
        if evolve and mode == "append":
            once = {**once, "mergeSchema": "true"}  # new columns join the table
        write_table(
            checked.valid, info.table, mode=mode, table_format=self.state.table_format,
            merge_keys=info.merge_keys, commit_metadata=metadata, options=once,
        )  # fmt: skip
        o.table_fqn, o.write_mode, o.rows_written = info.table, mode, o.valid_rows
        if mode == "overwrite":
            with self.state.lock:
                self.state.replaced.add(info.name)
        groups.note_published(self, mode)
        self.state.log.info("%s: %s %d rows -> %s", info.name, mode, o.rows_written, info.table)

