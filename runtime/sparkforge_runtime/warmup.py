"""Catalog warm-up: create a run's target schemas and its log table while the first steps read.

Input: a SparkSession, the plan, the run mode and the log table. Output: a context manager whose
block runs beside a background thread making those catalog calls; the block's end waits for it.
The first metastore call of a process is slow, and nothing of it needs the steps' rows. Errors are
left to the writes that need the schema or the table: they report them where they happen.

    with warm_catalog(spark, plan, Mode.INITIAL, "shop.pipeline_logs"):
        ...run the steps...
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from pyspark.sql import SparkSession

from sparkforge_runtime.connect import set_job_group
from sparkforge_runtime.plan import Mode, Plan
from sparkforge_runtime.runlog import LOG_JOB_GROUP, ensure_log_table
from sparkforge_runtime.tables import ensure_schema, split_fqn


@contextmanager
def warm_catalog(spark: SparkSession, plan: Plan, mode: Mode, log_table: str | None) -> Iterator[None]:
    """Run the block while the schemas and the log table are created (nothing in validation-only
    runs, which write nothing)."""
    if mode is Mode.VALIDATION_ONLY:
        yield
        return
    schemas = sorted({split_fqn(s.info.table)[0] or "" for s in plan.steps if s.info.writes} - {""})

    def warm() -> None:
        with suppress(Exception):
            for schema in schemas:
                ensure_schema(spark, schema)
            if log_table:
                set_job_group(spark, LOG_JOB_GROUP, "create the run log")
                ensure_log_table(spark, log_table)

    thread = threading.Thread(target=warm, name="sparkforge-catalog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
