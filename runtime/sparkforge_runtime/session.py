"""Spark sessions for jobs, tests and interactive use, with Delta Lake configured.

Input: an app name and a few options. Output: a `SparkSession` bound to 127.0.0.1 unless the caller
runs under `spark-submit` on a cluster, in which case the cluster's settings win; or, given a
Spark Connect URL (`remote=` or `SPARK_REMOTE`), a session on that server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pyspark.sql import SparkSession

from sparkforge_runtime.connect import connect_session, remote_url
from sparkforge_runtime.quiet import quiet_spark

DELTA_VERSION = "4.4.0"
DELTA_PACKAGE = f"io.delta:delta-spark_4.1_2.13:{DELTA_VERSION}"

# Settings every sparkforge session needs. AQEPropagateEmptyRelation is excluded because it drops the
# CollectMetrics node of DataFrame.observe when an input is empty at run time, and the observation
# would then never arrive (an incremental run with no new rows must still finish and log zeros).
DELTA_CONF: dict[str, str] = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}
ENGINE_CONF: dict[str, str] = {
    "spark.sql.adaptive.optimizer.excludedRules": (
        "org.apache.spark.sql.execution.adaptive.AQEPropagateEmptyRelation"
    ),
    "spark.scheduler.mode": "FAIR",
}
# A step's validated rows are cached once and read back once, by its write (and by the steps that
# read them): compressing them costs more CPU than the read-backs save (benchmarks/gate_variants.py
# measures both). A speed setting only, so jobs do not list it in their spark-submit line.
CACHE_CONF: dict[str, str] = {"spark.sql.inMemoryColumnarStorage.compressed": "false"}


def spark_submit_command(script: str = "job.py", extra_args: str = "--mode incremental") -> str:
    """The complete spark-submit command line for a sparkforge job."""
    confs = " ".join(f"--conf {k}={v}" for k, v in {**DELTA_CONF, **ENGINE_CONF}.items())
    return (
        f"spark-submit --packages {DELTA_PACKAGE} {confs} "
        f"--py-files sparkforge_runtime.zip {script} {extra_args}"
    ).strip()


def _conf(under_submit: bool, warehouse_dir: str | Path | None,
          extra_conf: Mapping[str, str] | None) -> dict[str, str]:  # fmt: skip
    conf: dict[str, str] = {**DELTA_CONF, **ENGINE_CONF}
    if not under_submit or warehouse_dir is not None:
        from sparkforge_runtime.local import local_conf  # laptops and tests only

        conf.update(local_conf(warehouse_dir, DELTA_PACKAGE, local=not under_submit))
    return {**conf, **(extra_conf or {})}


def build_session(
    app_name: str = "sparkforge",
    *,
    master: str | None = None,
    warehouse_dir: str | Path | None = None,
    extra_conf: Mapping[str, str] | None = None,
    enable_hive: bool = True,
    quiet: bool = True,
    log_level: str | None = None,
    remote: str | None = None,
) -> SparkSession:
    """Get or create a Delta-enabled SparkSession.

    Under spark-submit the JVM already exists and its configuration (master, jars) is kept; otherwise a
    local session is started on 127.0.0.1 with an embedded Derby metastore and a warehouse in
    `warehouse_dir`, so that tables outlive the process. Spark's log level is `log_level`, else
    ERROR for local sessions when `quiet`, else what the Spark configuration says.
    With `remote` (or `SPARK_REMOTE`), a Spark Connect URL, the session is on that server, whose
    own settings (Delta, logging) hold (docs/jobs.md, "Running on Spark Connect")."""
    url = remote_url(remote)
    if url is not None:
        return connect_session(url, app_name, {**ENGINE_CONF, **CACHE_CONF}, extra_conf)
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ
    builder = SparkSession.builder.appName(app_name)
    if not under_submit:
        builder = builder.master(master or os.environ.get("SPARKFORGE_MASTER", "local[*]"))
    for key, value in _conf(under_submit, warehouse_dir, extra_conf).items():
        builder = builder.config(key, value)
    if enable_hive:
        builder = builder.enableHiveSupport()
    spark = builder.getOrCreate()
    for key, value in CACHE_CONF.items():
        if spark.conf.get(key, None) is None:  # a value from spark-submit or the caller wins
            spark.conf.set(key, value)
    quiet_spark(spark, log_level or ("ERROR" if quiet and not under_submit else None))
    return spark
