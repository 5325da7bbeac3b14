"""One run at a time, and a record of every run: the lease around a run and its rows in `<log>_runs`.

Input: a SparkSession, the pipeline, the run's id and mode, the run log's table. Output: the lease
held for the run (`exclusive_run`, a context manager), and rows of `RUNS_SCHEMA` appended to
`<log table>_runs`: `running` when the run starts, `completed` or `failed` when it ends, and
`abandoned` for a run whose lease this run found stale (it was killed, or its driver died).

    with exclusive_run(spark, "ecommerce", "shop.pipeline_logs", report) as lease:
        ... run the steps; appends use lease.generation as their txnVersion ...
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from pyspark.sql import SparkSession

from sparkforge_runtime.appends import append
from sparkforge_runtime.connect import in_job_group, set_job_group
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
                exclusive: bool) -> Iterator[Lease | None]:  # fmt: skip
    """The scheduler's wrapper of a run: when `exclusive` and the run writes a log, hold the lease
    for it (`exclusive_run`) and record its end; yields the lease (its generation is the run's
    `txnVersion`), or None when it holds none."""
    if not exclusive or not log_table or report.mode is Mode.VALIDATION_ONLY:
        yield None
        return
    with exclusive_run(spark, pipeline, log_table, report) as lease:
        yield lease


@contextlib.contextmanager
def exclusive_run(spark: SparkSession, pipeline: str, log_table: str, report: RunReport) -> Iterator[Lease]:
    """Hold the pipeline's lease for the run (`LeaseHeld` when another run holds it); record the
    run as running (and an abandoned run found on the way), and at its end, from the run's
    `report`, as completed or failed; then release the lease. The rows are appended in a thread of
    their own, in that order, while the steps run and while the lease is released: a run killed
    before its `running` row lands is still recorded, as `abandoned`, by the run that finds its
    lease stale."""
    set_job_group(spark, RUN_JOB_GROUP, "claim the pipeline's lease, record the run")
    run_id, mode = report.run_id, report.mode.value
    lease = claim(spark, lease_root(spark, split_fqn(log_table)[0]), pipeline, run_id)
    started = report.started_at.astimezone(UTC).replace(tzinfo=None)
    rows = [_abandoned(lease.abandoned)] if lease.abandoned is not None else []
    rows.append((run_id, pipeline, mode, "running", started, None, lease.holder.host, None))

    def record(description: str, *rows: tuple[object, ...]) -> Future[None]:
        return pool.submit(in_job_group, spark, RUN_JOB_GROUP, description, lambda: _append(spark, log_table, *rows))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sparkforge-runs") as pool:  # one: rows in order
        recorded = [record("record the run", *rows)]
        try:
            lease.heartbeat()
            try:
                yield lease
            finally:
                status = "completed" if report.success else "failed"
                end = (run_id, pipeline, mode, status, started, _now(), socket.gethostname(), report.error_message)
                recorded.append(record("record the run's end", end))
        finally:
            try:
                lease.release()
            finally:
                for future in recorded:
                    future.result()


def _abandoned(holder: Holder) -> tuple[object, ...]:
    message = f"the run stopped without finishing (its lease on {holder.host}, pid {holder.pid}, went stale)"
    started = holder.started_at.replace(tzinfo=None)
    return (holder.run_id, holder.pipeline, "unknown", "abandoned", started, _now(), holder.host, message)


def _append(spark: SparkSession, log_table: str, *rows: tuple[object, ...]) -> None:
    ensure_schema(spark, split_fqn(log_table)[0])  # the first run of a pipeline: nothing exists yet
    df = spark.createDataFrame(list(rows), RUNS_SCHEMA)
    append(df, runs_table(log_table))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
