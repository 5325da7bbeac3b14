"""The lease's Delta table: its row (`Holder`), reading it, creating it, and the compare-and-swap
MERGE that every claim, renewal and release is (`lease` describes the protocol).

Input: a SparkSession and the table's path. Output: a pipeline's row, or whether a swap won. Plain
SQL on the table's path, not Delta's Python API, so that a Spark Connect client takes the lease as
a classic session does:

    path = ensure_lease_table(spark, root)
    swap(spark, path, None, holder)            ->  True (the first row: inserted)
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
_EXPECT = (("run", StringType()), ("generation", LongType()), ("expires", LongType()))
_SAME_HOLDER = (
    "t.run_id <=> s.expect_run AND t.generation = s.expect_generation "
    "AND (s.expect_expires IS NULL OR t.expires_ms = s.expect_expires)"
)
# A losing MERGE logs its conflict with a full stack before raising it; the claim handles it.
_CONFLICT_LOGGERS = ("org.apache.spark.sql.delta.commands.MergeIntoCommand",)


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
    """One MERGE: insert `new` when the pipeline has no row; replace the row only while it still
    is `expected`: same run id, generation and (for a claim) expiry, so that a heartbeat between
    a claimer's read and its MERGE makes the claim a no-op. `own=True` (renew, release) matches on
    run id and generation only. Concurrent swaps conflict at commit. True when the row is now
    `new` (the MERGE's own count of affected rows: no read-back)."""
    row = {**asdict(new), "expect_run": expected.run_id if expected else None,
           "expect_generation": expected.generation if expected else -1,
           "expect_expires": None if own or expected is None else expected.expires_ms}  # fmt: skip
    expect = [StructField(f"expect_{n}", t) for n, t in _EXPECT]
    view = f"sparkforge_lease_{uuid.uuid4().hex}"  # session-scoped, one per swap
    spark.createDataFrame([row], StructType(LEASE_SCHEMA.fields + expect)).createOrReplaceTempView(view)
    names = [f"`{name}`" for name in asdict(new)]
    update = ", ".join(f"t.{n} = s.{n}" for n in names)
    insert = f"({', '.join(names)}) VALUES ({', '.join(f's.{n}' for n in names)})"
    try:
        with silenced(spark, _CONFLICT_LOGGERS):
            counts = spark.sql(
                f"MERGE INTO {_path_table(path)} t USING {view} s ON t.pipeline = s.pipeline "
                f"WHEN MATCHED AND {_SAME_HOLDER} THEN UPDATE SET {update} "
                f"WHEN NOT MATCHED THEN INSERT {insert}"
            ).first()
        return counts is not None and int(counts["num_affected_rows"]) > 0
    finally:
        spark.catalog.dropTempView(view)


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
