"""What only a Spark Connect session needs: starting one on a server, and finding Delta Lake there.
Loaded only when a run uses Spark Connect (`--remote` or `SPARK_REMOTE`).

    spark = remote_session("sc://127.0.0.1:15002", "sparkforge:shop")
    connect_delta_available(spark)  ->  True
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import SparkSession

DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
# What a Spark Connect session needs and a client may set (runtime SQL settings; the server's
# static settings, such as its extensions and scheduler mode, are the server's to choose).
SESSION_CONF = ("spark.sql.adaptive.optimizer.excludedRules", "spark.sql.inMemoryColumnarStorage.compressed")


def remote_session(
    url: str,
    app_name: str,
    defaults: Mapping[str, str] | None = None,
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A session on the Spark Connect server at `url` (the running one when there is one). Each
    of `defaults` that a client may set (`SESSION_CONF`) is set unless the server already gives
    it a value (the server's settings win); `conf` is set as given (Spark ignores the static
    settings a client cannot change)."""
    builder = SparkSession.builder.remote(url).appName(app_name)
    spark = builder.config(map=dict(conf or {})).getOrCreate()
    for key, value in (defaults or {}).items():
        if key in SESSION_CONF and spark.conf.get(key, None) is None:
            spark.conf.set(key, value)
    return spark


def connect_delta_available(spark: SparkSession) -> bool:
    """True when the Connect server can read and write Delta tables: its settings load Delta's
    extension, or (a server that builds Delta in) it knows the `delta` data source."""
    if DELTA_EXTENSION in (spark.conf.get("spark.sql.extensions", None) or ""):
        return True
    try:
        spark.read.format("delta").load("/sparkforge-delta-probe/none").schema  # noqa: B018
    except Exception as exc:
        return "DATA_SOURCE_NOT_FOUND" not in str(exc)
    return True
