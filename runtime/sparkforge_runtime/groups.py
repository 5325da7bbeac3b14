"""Incremental runs that cost what changed: skip a step whose inputs did not change, refresh a gold
table only for the groups its new silver rows touch.

Input: a step's `StepRun` (this run's state: rows each step received, tables it committed to) and
the arguments the step function passes; which steps may skip or refresh by groups is decided by the
compiler from the transform's source and written in the job. Output: the decision for this run,
the silver rows of the affected groups, and one atomic MERGE of their recomputed rows.

Why it is exact. A gold step records in each commit the Delta version of every table it read
(`sparkforge.inputs`). Its inputs are unchanged when those versions are still current: skipping it
then leaves the table a full recompute would write. Group refresh additionally needs the silver's
only change since that version to be this run's append (its version then is recorded + 1, and the
rows it appended are this run's output of the silver step): a group-local transform gives, for
the groups whose keys appear in those rows, exactly the rows a full recompute gives, so deleting
those groups' rows and inserting the recomputed ones (one MERGE, NULL keys matched with `<=>`)
leaves the table a full recompute would write. Anything else recomputes in full.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sparkforge_runtime.outcome import Status
from sparkforge_runtime.steprun import StepRunLike as StepRun
from sparkforge_runtime.tables import last_commit, quote_fqn

INPUTS_KEY = "sparkforge.inputs"
CODE_KEY = "sparkforge.code"
ROW_FLAG = "__sparkforge_row"
USER_METADATA_CONF = "spark.databricks.delta.commitInfo.userMetadata"
REPLACED = -1  # `received` of a step that replaced its table: everything changed
# A MERGE's commit metadata can only be given as a session setting, which every thread shares.
_METADATA_LOCK = threading.Lock()


@dataclass(slots=True)
class Refresh:
    """A run's refresh state: `--refresh` given, rows each step passed on in this run (bronze: read;
    silver: written; REPLACED), and the steps that committed to their table."""

    forced: bool = False
    received: dict[str, int] = field(default_factory=dict)
    committed: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Groups:
    """The groups a gold refresh recomputes: their distinct keys, persisted, and how many."""

    keys: tuple[str, ...]
    rows: DataFrame
    count: int


def add_options(add: Any) -> None:
    """The job's `--refresh` option (`add` is `ArgumentParser.add_argument`)."""
    add("--refresh", action="store_true",
        help="incremental runs: run every step in full, never skip one or refresh gold by groups")  # fmt: skip


def note_received(run: StepRun, rows: int) -> None:
    """Record how many rows this step passed on in this run (bronze: read; silver: written)."""
    with run.state.lock:
        run.state.refresh.received[run.info.name] = rows


def note_published(run: StepRun, mode: str) -> None:
    """A write committed: record it, and the rows it passed on (all of them when it replaced)."""
    with run.state.lock:
        run.state.refresh.committed.add(run.info.name)
    note_received(run, REPLACED if mode == "overwrite" else run.outcome.rows_written)


def no_new_rows(run: StepRun, names: Sequence[str]) -> bool:
    """An appending silver may skip: incremental, not forced, and no input received a row."""
    if not _may_skip(run):
        return False
    return all(run.state.refresh.received.get(name) == 0 for name in names)


def inputs_unchanged(run: StepRun, tables: Sequence[str], code: str) -> bool:
    """A gold step may skip: every table it reads is at the version its last commit recorded, and
    its code (transform and rules, `code`) is the code that commit was written by.

    Reads the versions in every writing run, so that `publish` records them."""
    if run.info.write_mode(run.state.mode) is None:
        return False
    run.seen[CODE_KEY] = code
    current = {}
    for table in tables:
        found = last_commit(run.spark, table)
        current[table] = found[0] if found else None
    run.seen[INPUTS_KEY] = current
    if not _may_skip(run) or any(v is None for v in current.values()):
        return False
    own = last_commit(run.spark, run.info.table)
    same_code = own is not None and own[1].get(CODE_KEY) == code
    run.seen["recorded"] = own[1].get(INPUTS_KEY, {}) if own and same_code else {}
    return bool(run.seen["recorded"]) and all(run.seen["recorded"].get(t) == v for t, v in current.items())


def _may_skip(run: StepRun) -> bool:
    return run.incremental and not run.state.refresh.forced


def skip(run: StepRun, reason: str) -> DataFrame:
    """Mark the step skipped; its dependents read its table as it is (no new rows from it)."""
    o = run.outcome
    o.status, o.note, o.table_fqn = Status.SKIPPED, reason, run.info.table
    note_received(run, 0)
    run.state.log.info("%s %s: skipped: %s", run.info.layer, run.info.name, reason)
    return run.spark.table(run.info.table).limit(0)


def changed_groups(run: StepRun, silver: str, table: str) -> Groups | None:
    """The groups (by the step's `refresh_by`) to recompute; None: all (why: the outcome's note)."""
    state, recorded = run.state.refresh, run.seen.get("recorded")
    current = run.seen.get(INPUTS_KEY, {}).get(table)
    why = None
    if not _may_skip(run):
        why = "not an incremental run" if not run.incremental else "--refresh"
    elif not recorded or current is None or table not in recorded:
        why = f"no record of the {table} version it last read with this code"
    elif state.received.get(silver) == REPLACED:
        why = f"{silver} replaced its table"
    else:
        committed = 1 if silver in state.committed else 0
        if recorded[table] != current - committed:
            why = f"{table} changed since this step last ran in ways this run did not see"
    if why is not None:
        if run.incremental:
            run.outcome.note = f"full recompute: {why}"
        return None
    new_rows = run.state.outputs.get(silver) if silver in state.committed else None
    return _groups(run, new_rows, run.info.refresh_by)


def _groups(run: StepRun, new_rows: DataFrame | None, keys: tuple[str, ...]) -> Groups:
    if new_rows is None:
        schema = run.spark.table(run.info.table).select(*keys).schema
        rows = run.spark.createDataFrame([], schema)
    else:
        rows = new_rows.select(*keys).distinct().persist(StorageLevel.MEMORY_AND_DISK)
    count = rows.count()
    run.outcome.groups_refreshed = count
    run.outcome.note = f"refreshed {count} group(s) of {', '.join(keys)}"
    return Groups(keys, rows, count)


def _same_keys(left: DataFrame, right: DataFrame, keys: Sequence[str]) -> Column:
    condition = F.lit(True)
    for k in keys:
        condition = condition & left[k].eqNullSafe(right[k])
    return condition


def in_groups(df: DataFrame, groups: Groups | None) -> DataFrame:
    """The rows of `df` in the affected groups (all rows when None)."""
    if groups is None:
        return df
    keys = F.broadcast(groups.rows)
    return df.join(keys, _same_keys(df, keys, groups.keys), "left_semi")


def merge_groups(run: StepRun, valid: DataFrame, groups: Groups, metadata: str | None) -> None:
    """One MERGE: the affected groups' rows become the recomputed valid rows (deleted when none).

    Spark's own `DataFrame.mergeInto`, which Delta runs as it runs `MERGE INTO`: the same path on
    a classic session and over Spark Connect (where Delta's Python API has no JVM to call)."""
    keys = groups.keys
    rows = valid.withColumn(ROW_FLAG, F.lit(True))
    gone = groups.rows.join(valid, _same_keys(groups.rows, valid, keys), "left_anti")
    source = rows.unionByName(gone.withColumn(ROW_FLAG, F.lit(False)), allowMissingColumns=True)
    target = quote_fqn(run.info.table)
    condition = F.expr(" AND ".join(f"{target}.`{k}` <=> s.`{k}`" for k in keys))
    values = {f"`{c}`": F.col(f"s.`{c}`") for c in valid.columns}
    keep = F.col(f"s.`{ROW_FLAG}`")
    merge = (
        source.alias("s").mergeInto(run.info.table, condition)
        .whenMatched(~keep).delete()
        .whenMatched().update(values)
        .whenNotMatched(keep).insert(values)
    )  # fmt: skip
    conf = run.spark.conf
    with _METADATA_LOCK:
        if metadata is not None:
            conf.set(USER_METADATA_CONF, metadata)
        try:
            merge.merge()
        finally:
            conf.unset(USER_METADATA_CONF)
    groups.rows.unpersist(blocking=False)


def inputs_metadata(run: StepRun) -> dict[str, Any]:
    """What a gold commit records: the versions of the tables it read, when it read them."""
    current = run.seen.get(INPUTS_KEY)
    if not current or None in current.values():
        return {}
    return {INPUTS_KEY: current, CODE_KEY: run.seen.get(CODE_KEY)}


def nothing_to_append(run: StepRun, mode: str, covered: Any) -> bool:
    """An append of no rows that records the watermark already recorded commits nothing, so the
    table keeps its version (and the steps reading it can see it unchanged)."""
    o = run.outcome
    if mode != "append" or o.valid_rows or covered is None or str(covered) != o.previous_watermark:
        return False
    o.table_fqn, o.write_mode = run.info.table, mode
    note_received(run, 0)
    run.state.log.info("%s: nothing new to append to %s", run.info.name, run.info.table)
    return True


class RefreshVerbs:
    """The verbs of incremental refresh, mixed into `verbs.StepRun`."""

    __slots__ = ()

    def _run(self) -> StepRun:
        return cast(StepRun, self)

    def no_new_rows(self, *names: str) -> bool:
        """True in an incremental run when none of these upstream steps passed on a row."""
        return no_new_rows(self._run(), names)

    def inputs_unchanged(self, *tables: str, code: str = "") -> bool:
        """True in an incremental run when these tables are as this step's last commit saw them
        and `code` (a fingerprint of its transform and rules) is what that commit was written by."""
        return inputs_unchanged(self._run(), tables, code)

    def skip(self, reason: str) -> DataFrame:
        """Skip the step: nothing is read or written; its table stays as it is."""
        return skip(self._run(), reason)

    def changed_groups(self, silver: str, table: str) -> Groups | None:
        """The groups (by `refresh_by`) this run's new rows of `silver` touch; None: recompute all."""
        return changed_groups(self._run(), silver, table)

    def in_groups(self, df: DataFrame, groups: Groups | None) -> DataFrame:
        """The rows of `df` in these groups; all of them when None."""
        return in_groups(df, groups)

    def publish_groups(self, checked: Any, groups: Groups | None) -> None:
        """MERGE the recomputed groups (deleting those that produce no row) into the table; when
        `groups` is None, write it as `publish` does."""
        run = self._run()
        if groups is None or run.info.write_mode(run.state.mode) is None:
            run.publish(checked)
            return
        o, record = run.outcome, inputs_metadata(run)
        merge_groups(run, checked.valid, groups, json.dumps(record) if record else None)
        o.table_fqn, o.write_mode, o.rows_written = run.info.table, "merge", o.valid_rows
        note_published(run, "merge")
        run.state.log.info("%s: refreshed %d groups -> %s", o.name, groups.count, run.info.table)
