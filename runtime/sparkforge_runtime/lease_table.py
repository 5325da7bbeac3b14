"""The lease's Delta table: its row (`Holder`), reading it, creating it, and the compare-and-swap
that every claim, renewal and release is: an UPDATE, or a MERGE for a pipeline's first row
(`lease` describes the protocol).

Input: a SparkSession and the table's path. Output: a pipeline's row, or whether a swap won. Plain
SQL on the table's path, not Delta's Python API, so that a Spark Connect client takes the lease as
a classic session does:

    path = ensure_lease_table(spark, root)
    swap(spark, path, None, holder)            ->  True (the first row: inserted)
    take_released(spark, path, next_holder)    ->  True (the last run released it: now taken)
    read_holder(spark, path, "ecommerce")      ->  Holder(pipeline="ecommerce", ...)
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from sparkforge_runtime.errors import RuntimeStepError
from sparkforge_runtime.failures import describe, is_write_conflict
from sparkforge_runtime.quiet import silenced

LEASE_TABLE_DIR = "_sparkforge_leases"
LEASE_SCHEMA = StructType(
    [StructField(name, StringType(), False) for name in ("pipeline", "run_id", "state", "host")]
    + [StructField("pid", IntegerType(), False)]
    + [StructField(name, LongType(), False)
       for name in ("started_ms", "heartbeat_ms", "expires_ms", "generation")]
)  # fmt: skip
# A losing MERGE or UPDATE logs its conflict with a full stack before raising it; the claim handles it.
_CONFLICT_LOGGERS = tuple(f"org.apache.spark.sql.delta.commands.{c}" for c in ("MergeIntoCommand", "UpdateCommand"))


@dataclass(frozen=True, slots=True)
class Holder:
    """One row of the lease table: who holds (or last held) the pipeline's lease."""

    pipeline: str
    run_id: str
    state: str  # "running" or "released"
    host: str
    pid: int
    started_ms: int
    heartbeat_ms: int
    expires_ms: int
    generation: int

    @property
    def started_at(self) -> datetime:
        return datetime.fromtimestamp(self.started_ms / 1000, UTC)

    @property
    def started_text(self) -> str:
        return self.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")

    def is_free(self, now_ms: int, host: str) -> bool:
        """Released, expired, or left on this host by a process that no longer exists."""
        if self.state != "running" or self.expires_ms < now_ms:
            return True
        return self.host == host and not _pid_alive(self.pid)


def lease_path(root: str) -> str:
    return f"{root.rstrip('/')}/{LEASE_TABLE_DIR}"


def read_holder(spark: SparkSession, path: str, pipeline: str) -> Holder | None:
    """The lease row of `pipeline` in the newest version of the table at `path`, or None."""
    rows = spark.read.format("delta").load(path).filter(F.col("pipeline") == pipeline).collect()
    return Holder(**rows[0].asDict()) if rows else None


def ensure_lease_table(spark: SparkSession, root: str) -> str:
    """Create the lease table at `lease_path(root)` unless it exists; return its path.

    SQL rather than Delta's Python API, so that a Spark Connect client takes the lease too."""
    path = lease_path(root)
    if _is_delta(spark, path):
        return path
    columns = ", ".join(f"`{f.name}` {f.dataType.simpleString().upper()} NOT NULL" for f in LEASE_SCHEMA)
    try:
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS {_path_table(path)} ({columns}) USING delta "
            "TBLPROPERTIES ('delta.isolationLevel' = 'Serializable')"
        )
    except Exception as exc:  # two first runs created it at once: one table is all we need
        if not is_write_conflict(exc) and not _is_delta(spark, path):
            raise RuntimeStepError(f"cannot create the lease table at {path}: {describe(exc)}") from exc
    return path


def _path_table(path: str) -> str:
    return "delta.`" + path.replace("`", "``") + "`"


def _is_delta(spark: SparkSession, path: str) -> bool:
    try:
        spark.read.format("delta").load(path).schema  # noqa: B018  (analysis fails when missing)
    except Exception:
        return False
    return True


def swap(
    spark: SparkSession, path: str, expected: Holder | None, new: Holder, *, own: bool = False
) -> bool:
    """Make the pipeline's row `new` only while it still is `expected`; True when it now is.

    With no `expected` row, a MERGE inserts `new` unless the pipeline has a row (a pipeline's first
    claim). Otherwise an UPDATE replaces the row while it keeps `expected`'s run id, generation and
    (for a claim) expiry, so that a heartbeat between a claimer's read and its UPDATE makes the
    claim a no-op; `own=True` (renew, release) matches on run id and generation only. Both read
    what they change on a `Serializable` table: of two concurrent swaps the second commit fails.
    The statement's own count of affected rows says whether it won (no read-back)."""
    if expected is None:
        return _insert_first(spark, path, new)
    same = {"pipeline": new.pipeline, "run_id": expected.run_id, "generation": expected.generation}
    if not own:
        same["expires_ms"] = expected.expires_ms
    return _update(spark, path, new, " AND ".join(f"`{n}` = {_literal(v)}" for n, v in same.items()))


def take_released(spark: SparkSession, path: str, new: Holder) -> bool:
    """A claim with no read first: the row becomes `new` if it is released and older (else False)."""
    where = f"pipeline = {_literal(new.pipeline)} AND state = 'released' AND generation < {new.generation}"
    return _update(spark, path, new, where)


def _update(spark: SparkSession, path: str, new: Holder, where: str) -> bool:
    update = ", ".join(f"`{name}` = {_literal(value)}" for name, value in asdict(new).items())
    with silenced(spark, _CONFLICT_LOGGERS):
        counts = spark.sql(f"UPDATE {_path_table(path)} SET {update} WHERE {where}").first()
    return counts is not None and int(counts["num_affected_rows"]) > 0


def _insert_first(spark: SparkSession, path: str, new: Holder) -> bool:
    """The pipeline's first row, unless a concurrent claim inserted it (appends never conflict)."""
    view = f"sparkforge_lease_{uuid.uuid4().hex}"  # session-scoped, one per insert
    spark.createDataFrame([asdict(new)], LEASE_SCHEMA).createOrReplaceTempView(view)
    try:
        with silenced(spark, _CONFLICT_LOGGERS):
            counts = spark.sql(
                f"MERGE INTO {_path_table(path)} t USING {view} s ON t.pipeline = s.pipeline "
                "WHEN NOT MATCHED THEN INSERT *"
            ).first()
        return counts is not None and int(counts["num_affected_rows"]) > 0
    finally:
        spark.catalog.dropTempView(view)


def _literal(value: object) -> str:
    """A SQL literal (Delta's UPDATE does not bind parameter markers in its SET clause)."""
    text = str(value)
    return text if isinstance(value, int) else "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def now_ms() -> int:
    return int(time.time() * 1000)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        pass
    return True
