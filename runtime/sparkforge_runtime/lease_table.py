"""The lease's Delta table: its row (`Holder`), reading it, and the compare-and-swap that every
claim, renewal and release is (`lease` describes the protocol).

Input: a SparkSession and the table's path. Output: a pipeline's row, or whether a swap won. Every
row carries `seq`, which grows by one with each swap of the pipeline's row, and each swap writes
its row with Delta's idempotent-write options `txnAppId` (one per pipeline) and `txnVersion`
(`seq`): of two swaps from the same row, Delta commits one and fails the other
(`ConcurrentTransactionException`), and a swap from a row that is no longer the newest is skipped.
Nothing but the DataFrame reader and writer on the table's path (no SQL, no catalog, no
UPDATE or MERGE): the same on classic and Spark Connect sessions, and as cheap as a small append.

    swap(spark, path, None, holder)            ->  Holder(..., seq=1) (the pipeline's first row)
    read_holder(spark, path, "ecommerce")      ->  Holder(pipeline="ecommerce", ..., seq=1)
    swap(spark, path, stale, next_holder)      ->  None (another swap of `stale` came first)
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from sparkforge_runtime.errors import RuntimeStepError
from sparkforge_runtime.failures import describe

LEASE_TABLE_DIR = "_sparkforge_leases"
LEASE_SCHEMA = StructType(
    [StructField(name, StringType(), False) for name in ("pipeline", "run_id", "state", "host")]
    + [StructField("pid", IntegerType(), False)]
    + [StructField(name, LongType(), False)
       for name in ("started_ms", "heartbeat_ms", "expires_ms", "generation", "seq")]
)  # fmt: skip


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
    seq: int = 0  # the number of the swap that wrote this row: 1 for the pipeline's first

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
    """The newest lease row of `pipeline` in the table at `path`, or None (no row, or no table)."""
    try:
        table = spark.read.format("delta").load(path)
        if "seq" not in table.columns:  # written before rows were numbered: its rows count as 0
            table = table.withColumn("seq", F.lit(0).cast("long"))
        rows = (table.filter(F.col("pipeline") == pipeline).orderBy(F.col("seq").desc_nulls_last())
                .limit(1).collect())  # fmt: skip
    except Exception as exc:
        if _exists(spark, path):
            raise RuntimeStepError(f"cannot read the lease table at {path}: {describe(exc)}") from exc
        return None
    return Holder(**{**rows[0].asDict(), "seq": rows[0]["seq"] or 0}) if rows else None


def _exists(spark: SparkSession, path: str) -> bool:
    try:
        spark.read.format("delta").load(path).schema  # noqa: B018  (analysis fails when missing)
    except Exception:
        return False
    return True


def swap(spark: SparkSession, path: str, expected: Holder | None, new: Holder) -> Holder | None:
    """Make the pipeline's row `new` only while `expected` (None: no row yet) is its newest row;
    the row as stored (`new` with the next `seq`) when it now is, else None. The row replaces the pipeline's earlier rows (one live row per pipeline);
    a concurrent swap from the same row makes Delta fail this one (raised: `is_write_conflict`), a
    swap from an older row is skipped by Delta, and the read-back says so."""
    mine = replace(new, seq=(expected.seq if expected else 0) + 1)
    df = spark.createDataFrame([asdict(mine)], LEASE_SCHEMA)
    (df.write.format("delta").mode("overwrite").option("replaceWhere", f"pipeline = {_literal(new.pipeline)}")
     .option("mergeSchema", "true")  # a table written before rows were numbered gains `seq`
     .option("txnAppId", f"sparkforge-lease:{new.pipeline}").option("txnVersion", str(mine.seq)).save(path))  # fmt: skip
    return mine if read_holder(spark, path, new.pipeline) == mine else None


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


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
