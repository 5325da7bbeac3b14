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
from pyspark.sql.types import StringType, StructField, StructType, TimestampType

from sparkforge_runtime.connect import set_job_group
from sparkforge_runtime.lease import Holder, Lease, claim, lease_root
from sparkforge_runtime.tables import ensure_schema, split_fqn

RUN_JOB_GROUP = "sparkforge:run"  # the lease and the runs table: the run's own bookkeeping
RUNS_SCHEMA = StructType(
    [StructField(n, StringType(), False) for n in ("run_id", "pipeline_name", "run_mode", "status")]
    + [StructField("started_at", TimestampType(), False), StructField("ended_at", TimestampType(), True)]
    + [StructField(n, StringType(), True) for n in ("host", "message")]
)  # fmt: skip


def runs_table(log_table: str) -> str:
    return f"{log_table}_runs"


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
