"""Runs of one pipeline never overlap: a lease, claimed before any watermark is read.

Input: a SparkSession, a directory shared by every run of the pipeline (`lease_root`), the
pipeline's name, the run's id and a time to live. Output: a `Lease` held by this run, or
`LeaseHeld` naming the run that holds it:

    lease = claim(spark, lease_root(spark, "shop"), "ecommerce", run_id, ttl_seconds=600)
    # -> LeaseHeld: pipeline 'ecommerce' is already running (run 3f2a..., started 2026-12-02 ...)

The lease is one live row per pipeline in a small Delta table addressed by path (`lease_table`),
so that runs using different metastores over one warehouse still meet in it. A claim replaces the
row only while it is the released or stale row the claimer read: each row has a number (`seq`),
and the swap writes the next number with Delta's `txnAppId`/`txnVersion`, so of two claims from
the same row Delta commits one and fails the other, and a claim from a row another run has since
replaced is skipped (the read-back says so). The loser reads the row: `LeaseHeld`. A stale lease
(heartbeat expired, or its process on this host gone) is taken over and its holder returned in
`Lease.abandoned`, for the run log. `generation` grows with every claim (`max(now_ms, previous +
1)`): the run's `txnVersion` (`tables_txn`).
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

from pyspark.sql import SparkSession

from sparkforge_runtime.connect import set_job_group
from sparkforge_runtime.errors import CannotRun, RuntimeStepError
from sparkforge_runtime.failures import is_write_conflict
from sparkforge_runtime.lease_table import Holder, lease_path, now_ms, read_holder, swap

CLAIM_ATTEMPTS = 5
LEASE_JOB_GROUP = "sparkforge:lease"


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
        now = now_ms()
        mine = replace(self.holder, heartbeat_ms=now, expires_ms=now + self.ttl_ms)
        stored = _retry_conflicts(lambda: swap(self.spark, self.path, self.holder, mine))
        if stored is None:
            self.lost = True  # the row is no longer this run's: another run took the lease over
            return
        self.holder = stored

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
        set_job_group(self.spark, LEASE_JOB_GROUP, "renew the pipeline's lease")
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
        now = now_ms()
        done = replace(self.holder, state="released", heartbeat_ms=now, expires_ms=now)
        self.holder = _retry_conflicts(lambda: swap(self.spark, self.path, self.holder, done)) or done

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lease_root(spark: SparkSession, schema: str | None = None) -> str:
    """The default folder of `schema` (default: the current one) in the warehouse, as Spark
    qualified `spark.sql.warehouse.dir`: every run over the same warehouse agrees on it, whatever
    its metastore, and finding it asks no metastore (a process's first metastore call starts the
    Hive client: seconds that would come before every step)."""
    name = schema or spark.catalog.currentDatabase()
    warehouse = spark.conf.get("spark.sql.warehouse.dir") or "spark-warehouse"
    return f"{warehouse.rstrip('/')}/{name.lower()}.db"


def claim(
    spark: SparkSession, root: str, pipeline: str, run_id: str, ttl_seconds: float = 600.0
) -> Lease:
    """Claim the lease of `pipeline` for `run_id`, or raise `LeaseHeld`.

    Takes over a stale lease (returned in `Lease.abandoned`). Call `heartbeat()` on the result for
    runs longer than the ttl, and `release()` at the end (or use it as a context manager).
    """
    path, ttl_ms = lease_path(root), int(ttl_seconds * 1000)
    for _ in range(CLAIM_ATTEMPTS):
        lease = _try_claim(spark, path, pipeline, run_id, ttl_ms)
        if lease is not None:
            return lease
    raise RuntimeStepError(
        f"pipeline {pipeline!r}: could not claim its lease at {path} after {CLAIM_ATTEMPTS} "
        "attempts (other runs kept changing it); try again"
    )


def _try_claim(spark: SparkSession, path: str, pipeline: str, run_id: str, ttl_ms: int) -> Lease | None:
    """One attempt: the Lease when won, None when a concurrent change calls for another look."""
    host, current = socket.gethostname(), read_holder(spark, path, pipeline)
    now = now_ms()
    if current is not None and not current.is_free(now, host):
        raise LeaseHeld(current)
    generation = max(now, current.generation + 1) if current else now
    mine = Holder(pipeline, run_id, "running", host, os.getpid(), now, now, now + ttl_ms, generation)
    try:
        won = swap(spark, path, current, mine)
    except Exception as exc:
        if not is_write_conflict(exc):
            raise
        won = None  # another claim (or a heartbeat) committed first
    if won is not None:  # the swap replaced the row this run read (or wrote the first one)
        abandoned = current if current is not None and current.state == "running" else None
        return Lease(spark, path, won, ttl_ms, abandoned)
    after = read_holder(spark, path, pipeline)
    if after is not None and not after.is_free(now_ms(), host):
        raise LeaseHeld(after)
    return None


def _retry_conflicts(action: Any, attempts: int = 3) -> Any:
    """Run `action`, again after a commit conflict (a claim attempt that changed nothing); return
    what it returns."""
    for attempt in range(attempts):
        try:
            return action()
        except Exception as exc:
            if not is_write_conflict(exc) or attempt == attempts - 1:
                raise
