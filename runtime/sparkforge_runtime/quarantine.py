"""Quarantine: a step's invalid rows, with the rules each failed, appended to a Delta table.

Input: a step's `Checked` rows (flagged and persisted by `validate`: no second read of the source),
its rules, the run id. Output: one Delta append of the invalid rows to the quarantine table: every
column of the validated frame, then `_failed_rules` (array of rule labels, warn rules included),
`_run_id`, `_step_name`, `_quarantined_at`.

Order and retries: the step writes its quarantine once its gate has passed, right before it publishes
its valid rows. A failure between the two leaves the quarantine rows of a run whose step then failed
(the run log says so); a retry of that run (`--run-id` with the same id) does not append them twice:
the write carries Delta's idempotent-write options `txnAppId` (`sparkforge:<pipeline>:<step>`) and
`txnVersion` (the run's start in epoch milliseconds, which a run id carries: run ids are UUIDv7), and
Delta skips a version it has already committed for that application id.

    new_run_id()               ->  "0193f6c2-7a1e-7c3d-9f1e-5b2a8c4d6e0f"
    run_version(that run id)   ->  1733131200123
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge_runtime.appends import append
from sparkforge_runtime.plan import Mode
from sparkforge_runtime.rules import VALID_FLAG, Rule, rule_labels
from sparkforge_runtime.steprun import StepRunLike
from sparkforge_runtime.tables import ensure_schema, split_fqn

QUARANTINE_COLUMNS = ("_failed_rules", "_run_id", "_step_name", "_quarantined_at")


def add_options(add: Any) -> None:
    """The job's `--run-id` option (`add` is `ArgumentParser.add_argument`)."""
    add("--run-id", metavar="ID", help="retry the run with this id: its quarantine rows are not "
        "appended again (default: a new id)")  # fmt: skip


def new_run_id(now_ms: int | None = None) -> str:
    """A UUIDv7: the first 48 bits are the start time in epoch milliseconds, so ids sort by time."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64 | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def run_version(run_id: str) -> int:
    """The `txnVersion` of a run's quarantine writes: the milliseconds a UUIDv7 run id carries. A
    run id of another form gets a version from the clock (no retry guard then)."""
    try:
        parsed = uuid.UUID(run_id)
    except ValueError:
        return int(time.time() * 1000)
    return parsed.int >> 80 if parsed.version == 7 else int(time.time() * 1000)


def quarantine_rows(flagged: DataFrame, rules: Sequence[Rule], run_id: str, step: str) -> DataFrame:
    """The invalid rows of `flagged`, each with the labels of every rule it failed."""
    labels = rule_labels(rules)
    checks = [F.when(~F.coalesce(r.expr, F.lit(False)), F.lit(label)) for label, r in zip(labels, rules, strict=True)]
    failed = F.filter(F.array(*checks), lambda x: x.isNotNull()) if checks else F.array().cast("array<string>")
    columns = [c for c in flagged.columns if c != VALID_FLAG]
    return flagged.filter(~F.col(VALID_FLAG)).select(
        *columns, failed.alias("_failed_rules"), F.lit(run_id).alias("_run_id"),
        F.lit(step).alias("_step_name"), F.current_timestamp().alias("_quarantined_at"),
    )  # fmt: skip


def write_quarantine(spark: SparkSession, rows: DataFrame, table: str, *, app_id: str, version: int) -> None:
    """Append `rows` to the Delta table `table` once per (app_id, version): a retry is a no-op."""
    ensure_schema(spark, split_fqn(table)[0])
    append(rows, table, txnAppId=app_id, txnVersion=str(version), mergeSchema="true")


def quarantine_step(
    spark: SparkSession, flagged: DataFrame, rules: Sequence[Rule], table: str, run_id: str, pipeline: str, step: str
) -> None:
    """One step's quarantine write, keyed for retries on pipeline, step and the run's version."""
    rows = quarantine_rows(flagged, rules, run_id, step)
    write_quarantine(spark, rows, table, app_id=f"sparkforge:{pipeline}:{step}", version=run_version(run_id))


class QuarantineVerbs:
    """The `quarantine` verb, mixed into `verbs.StepRun`."""

    __slots__ = ()

    def quarantine(self: StepRunLike, checked: Any, table: str) -> None:
        """Append the invalid rows and the rules each failed to `table`, from the persisted rows: one
        write per run (a retry with the run's id skips it), none if all are valid or validating only."""
        o, state, name = self.outcome, self.state, self.info.name
        if state.mode is Mode.VALIDATION_ONLY or o.invalid_rows == 0:
            return
        quarantine_step(self.spark, checked.flagged, checked.rules, table, state.run_id, state.pipeline, name)
        o.quarantine_table, o.quarantined_rows = table, o.invalid_rows
        state.log.info("%s: quarantined %d rows -> %s", name, o.invalid_rows, table)
