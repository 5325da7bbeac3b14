"""One run at a time, and a record of every run: the lease around a run and its rows in `<log>_runs`.

Input: a SparkSession, the pipeline, the run's id and mode, the run log's table. Output: the lease
held for the run (`exclusive_run`, a context manager), and rows of `RUNS_SCHEMA` appended to
`<log table>_runs`: `running` when the run starts, `completed` or `failed` when it ends, and
`abandoned` for a run whose lease this run found stale (it was killed, or its driver died).

    with exclusive_run(spark, "ecommerce", run_id, "incremental", "shop.pipeline_logs") as lease:
        ... run the steps; appends use lease.generation as their txnVersion ...
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

from pyspark.sql import SparkSession

from sparkforge_runtime.connect import set_job_group
from sparkforge_runtime.lease import Lease, claim, lease_root
from sparkforge_runtime.lease_table import Holder
from sparkforge_runtime.outcome import RunReport
from sparkforge_runtime.plan import Mode
from sparkforge_runtime.tables import ensure_schema, schema, split_fqn

RUN_JOB_GROUP = "sparkforge:run"  # the lease and the runs table: the run's own bookkeeping
RUNS_SCHEMA = schema(
    "run_id string!, pipeline_name string!, run_mode string!, status string!, started_at timestamp!, "
    "ended_at timestamp, host string, message string"
)


def runs_table(log_table: str) -> str:
    return f"{log_table}_runs"


@contextlib.contextmanager
def guarded_run(spark: SparkSession, pipeline: str, report: RunReport, log_table: str | None,
                exclusive: bool) -> Iterator[int | None]:  # fmt: skip
    """The scheduler's wrapper of a run: when `exclusive` and the run writes a log, hold the lease
    for it (`exclusive_run`) and record its end; yields the lease's generation (the run's
    `txnVersion`), or None when it holds none."""
    mode = report.mode.value
    if not exclusive or not log_table or report.mode is Mode.VALIDATION_ONLY:
        yield None
        return
    with exclusive_run(spark, pipeline, report.run_id, mode, log_table) as lease:
        try:
            yield lease.generation
        finally:
            status = "completed" if report.success else "failed"
            record_end(spark, pipeline, report.run_id, mode, log_table, report.started_at, status, report.error_message)


@contextlib.contextmanager
def exclusive_run(
    spark: SparkSession, pipeline: str, run_id: str, mode: str, log_table: str
) -> Iterator[Lease]:
    """Hold the pipeline's lease for the run (`LeaseHeld` when another run holds it); record the
    run as running, an abandoned run found on the way, and release the lease at the end."""
    set_job_group(spark, RUN_JOB_GROUP, "claim the pipeline's lease, record the run")
    lease = claim(spark, lease_root(spark, split_fqn(log_table)[0]), pipeline, run_id)
    try:
        lease.heartbeat()
        started = _now()
        if lease.abandoned is not None:
            _append(spark, log_table, _abandoned(lease.abandoned))
        _append(spark, log_table, (run_id, pipeline, mode, "running", started, None, lease.holder.host, None))
        yield lease
    finally:
        lease.release()


def record_end(spark: SparkSession, pipeline: str, run_id: str, mode: str, log_table: str,
               started: datetime, status: str, message: str | None) -> None:  # fmt: skip
    """The run's final row: `completed` or `failed`, with the first error when it failed."""
    set_job_group(spark, RUN_JOB_GROUP, "record the run's end")
    row = (run_id, pipeline, mode, status, started.replace(tzinfo=None), _now(), socket.gethostname(), message)
    _append(spark, log_table, row)


def _abandoned(holder: Holder) -> tuple[object, ...]:
    message = f"the run stopped without finishing (its lease on {holder.host}, pid {holder.pid}, went stale)"
    started = holder.started_at.replace(tzinfo=None)
    return (holder.run_id, holder.pipeline, "unknown", "abandoned", started, _now(), holder.host, message)


def _append(spark: SparkSession, log_table: str, row: tuple[object, ...]) -> None:
    ensure_schema(spark, split_fqn(log_table)[0])  # the first run of a pipeline: nothing exists yet
    df = spark.createDataFrame([row], RUNS_SCHEMA)
    df.write.format("delta").mode("append").saveAsTable(runs_table(log_table))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
