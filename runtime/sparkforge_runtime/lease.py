"""Runs of one pipeline never overlap: a lease, claimed before any watermark is read.

Input: a SparkSession, a directory shared by every run of the pipeline (`lease_root`), the
pipeline's name, the run's id and a time to live. Output: a `Lease` held by this run, or
`LeaseHeld` naming the run that holds it:

    lease = claim(spark, lease_root(spark, "shop"), "ecommerce", run_id, ttl_seconds=600)
    # -> LeaseHeld: pipeline 'ecommerce' is already running (run 3f2a..., started 2026-12-02
    #    08:30:01 UTC on etl-7)

The lease is one row per pipeline in a small Delta table addressed by path, so that runs using
different metastores over one warehouse still meet in it. A claim is a MERGE that replaces the row
only while it is the free, released or stale row the claimer read (compare-and-swap on run id,
generation and expiry). A MERGE reads what it may change and the table is `Serializable`, so of
two concurrent claims the second commit fails (`Concurrent*Exception`; plain appends never
conflict); the claimer reads the row back and holds it or raises `LeaseHeld`.

A lease is stale when its heartbeat expired, or when a process on this host took it and is gone;
`claim` takes it over and returns the abandoned holder in `Lease.abandoned`, for the run log.
`generation` grows with every claim (`max(now_ms, previous + 1)`): the run's `txnVersion` for
idempotent appends (`tables_txn`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import suppress
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from sparkforge_runtime.errors import CannotRun, RuntimeStepError
from sparkforge_runtime.failures import describe, is_write_conflict
from sparkforge_runtime.quiet import silenced

LEASE_TABLE_DIR = "_sparkforge_leases"
LEASE_SCHEMA = StructType(
    [StructField(name, StringType(), False) for name in ("pipeline", "run_id", "state", "host")]
    + [StructField("pid", IntegerType(), False)]
    + [StructField(name, LongType(), False)
       for name in ("started_ms", "heartbeat_ms", "expires_ms", "generation")]
)  # fmt: skip
CLAIM_ATTEMPTS = 5
LEASE_JOB_GROUP = "sparkforge:lease"
_EXPECT = (("run", StringType()), ("generation", LongType()), ("expires", LongType()))
_SAME_HOLDER = (
    "t.run_id <=> s.expect_run AND t.generation = s.expect_generation "
    "AND (s.expect_expires IS NULL OR t.expires_ms = s.expect_expires)"
)
# A losing MERGE logs its conflict with a full stack before raising it; the claim handles it.
_CONFLICT_LOGGERS = ("org.apache.spark.sql.delta.commands.MergeIntoCommand",)


class LeaseHeld(CannotRun):
    """Another live run holds the pipeline's lease; `holder` says which."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(
            f"pipeline {holder.pipeline!r} is already running (run {holder.run_id}, "
            f"started {holder.started_text} on {holder.host})"
        )
        self.holder = holder


class LeaseLost(RuntimeStepError):
    """This run's lease expired and another run took it over: stop before writing anything."""


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


@dataclass(slots=True)
class Lease:
    """The pipeline's lease, held by this run until `release()` (or the end of a `with` block)."""

    spark: SparkSession
    path: str
    holder: Holder
    ttl_ms: int
    abandoned: Holder | None = None  # the stale run taken over, to be logged as `abandoned`
    lost: bool = False
    _stop: threading.Event | None = None
    _thread: threading.Thread | None = None

    @property
    def generation(self) -> int:
        return self.holder.generation

    def renew(self) -> None:
        """Push the expiry `ttl` into the future; marks the lease lost if another run took it."""
        now = _now_ms()
        mine = replace(self.holder, heartbeat_ms=now, expires_ms=now + self.ttl_ms)
        _retry_conflicts(lambda: _swap(self.spark, self.path, self.holder, mine, own=True))
        current = read_holder(self.spark, self.path, self.holder.pipeline)
        if current is None or (current.run_id, current.generation) != (mine.run_id, mine.generation):
            self.lost = True
            return
        self.holder = current

    def heartbeat(self, interval_seconds: float | None = None) -> None:
        """Renew in a daemon thread every `interval_seconds` (default: a third of the ttl)."""
        if self._thread is not None:
            return
        interval = interval_seconds or self.ttl_ms / 3000
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(interval, self._stop), name="sparkforge-lease", daemon=True
        )
        self._thread.start()

    def _beat(self, interval: float, stop: threading.Event) -> None:
        self.spark.sparkContext.setJobGroup(LEASE_JOB_GROUP, "renew the pipeline's lease")
        while not stop.wait(interval) and not self.lost:
            with suppress(Exception):  # a transient failure: the next beat retries within the ttl
                self.renew()

    def check(self) -> None:
        """Raise `LeaseLost` when the heartbeat found another run holding the lease."""
        if self.lost:
            raise LeaseLost(
                f"pipeline {self.holder.pipeline!r}: run {self.holder.run_id} lost its lease "
                f"(heartbeat older than {self.ttl_ms // 1000}s) and another run took it over"
            )

    def release(self) -> None:
        """Stop the heartbeat and mark the lease released, unless another run holds it now."""
        if self._stop is not None and self._thread is not None:
            self._stop.set()
            self._thread.join()
        now = _now_ms()
        done = replace(self.holder, state="released", heartbeat_ms=now, expires_ms=now)
        _retry_conflicts(lambda: _swap(self.spark, self.path, self.holder, done, own=True))
        self.holder = done

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lease_root(spark: SparkSession, schema: str | None = None) -> str:
    """The directory of `schema` (default: the current one) as the catalog records it, which every
    metastore over the same warehouse agrees on; Spark's default location when it does not exist."""
    name = schema or spark.catalog.currentDatabase()
    if spark.catalog.databaseExists(name):
        return str(spark.catalog.getDatabase(name).locationUri).rstrip("/")
    warehouse = spark.conf.get("spark.sql.warehouse.dir") or "spark-warehouse"
    return f"{warehouse.rstrip('/')}/{name.lower()}.db"


def lease_path(root: str) -> str:
    return f"{root.rstrip('/')}/{LEASE_TABLE_DIR}"


def claim(
    spark: SparkSession, root: str, pipeline: str, run_id: str, ttl_seconds: float = 600.0
) -> Lease:
    """Claim the lease of `pipeline` for `run_id`, or raise `LeaseHeld`.

    Takes over a stale lease (returned in `Lease.abandoned`). Call `heartbeat()` on the result for
    runs longer than the ttl, and `release()` at the end (or use it as a context manager).
    """
    path = ensure_lease_table(spark, root)
    for _ in range(CLAIM_ATTEMPTS):
        lease = _try_claim(spark, path, pipeline, run_id, int(ttl_seconds * 1000))
        if lease is not None:
            return lease
    raise RuntimeStepError(
        f"pipeline {pipeline!r}: could not claim its lease at {path} after {CLAIM_ATTEMPTS} "
        "attempts (other runs kept changing it); try again"
    )


def _try_claim(spark: SparkSession, path: str, pipeline: str, run_id: str, ttl_ms: int) -> Lease | None:
    """One attempt: the Lease when won, None when a concurrent change calls for another look."""
    host, current = socket.gethostname(), read_holder(spark, path, pipeline)
    now = _now_ms()
    if current is not None and not current.is_free(now, host):
        raise LeaseHeld(current)
    generation = max(now, current.generation + 1) if current else now
    mine = Holder(pipeline, run_id, "running", host, os.getpid(), now, now, now + ttl_ms, generation)
    try:
        _swap(spark, path, current, mine)
    except Exception as exc:
        if not is_write_conflict(exc):
            raise
        return None  # another claim (or a heartbeat) committed first
    after = read_holder(spark, path, pipeline)
    if after == mine:
        abandoned = current if current is not None and current.state == "running" else None
        return Lease(spark, path, mine, ttl_ms, abandoned)
    if after is not None and not after.is_free(_now_ms(), host):
        raise LeaseHeld(after)
    return None


def read_holder(spark: SparkSession, path: str, pipeline: str) -> Holder | None:
    """The lease row of `pipeline` in the newest version of the table at `path`, or None."""
    rows = spark.read.format("delta").load(path).filter(F.col("pipeline") == pipeline).collect()
    return Holder(**rows[0].asDict()) if rows else None


def ensure_lease_table(spark: SparkSession, root: str) -> str:
    """Create the lease table at `lease_path(root)` unless it exists; return its path."""
    path = lease_path(root)
    if DeltaTable.isDeltaTable(spark, path):
        return path
    table = DeltaTable.createIfNotExists(spark).location(path).addColumns(LEASE_SCHEMA)
    try:
        table.property("delta.isolationLevel", "Serializable").execute()
    except Exception as exc:  # two first runs created it at once: one table is all we need
        if not is_write_conflict(exc) and not DeltaTable.isDeltaTable(spark, path):
            raise RuntimeStepError(f"cannot create the lease table at {path}: {describe(exc)}") from exc
    return path


def _swap(
    spark: SparkSession, path: str, expected: Holder | None, new: Holder, *, own: bool = False
) -> None:
    """One MERGE: insert `new` when the pipeline has no row; replace the row only while it still
    is `expected`: same run id, generation and (for a claim) expiry, so that a heartbeat between
    a claimer's read and its MERGE makes the claim a no-op. `own=True` (renew, release) matches on
    run id and generation only. Concurrent swaps conflict at commit."""
    row = {**asdict(new), "expect_run": expected.run_id if expected else None,
           "expect_generation": expected.generation if expected else -1,
           "expect_expires": None if own or expected is None else expected.expires_ms}  # fmt: skip
    expect = [StructField(f"expect_{n}", t) for n, t in _EXPECT]
    source = spark.createDataFrame([row], StructType(LEASE_SCHEMA.fields + expect))
    columns: dict[str, str | Column] = {name: F.col(f"s.{name}") for name in asdict(new)}
    with silenced(spark, _CONFLICT_LOGGERS):
        (
            DeltaTable.forPath(spark, path)
            .alias("t")
            .merge(source.alias("s"), "t.pipeline = s.pipeline")
            .whenMatchedUpdate(condition=_SAME_HOLDER, set=columns)
            .whenNotMatchedInsert(values=columns)
            .execute()
        )


def _retry_conflicts(action: Any, attempts: int = 3) -> None:
    """Run `action`, again after a commit conflict (a claim attempt that changed nothing)."""
    for attempt in range(attempts):
        try:
            action()
            return
        except Exception as exc:
            if not is_write_conflict(exc) or attempt == attempts - 1:
                raise


def _now_ms() -> int:
    return int(time.time() * 1000)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        pass
    return True
