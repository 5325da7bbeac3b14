"""`--source` bindings to paths that do not exist: checked before Spark starts for local paths,
right after the session is built for the cluster's file systems. Loaded only when a run binds one.

    local_source_problems({"orders": "parquet:/landing/orders"})
    -> ["--source orders=parquet:/landing/orders: /landing/orders does not exist; ..."]
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from pyspark.sql import SparkSession

from sparkforge_runtime.failures import describe
from sparkforge_runtime.sources import format_and_path

_GLOB = re.compile(r"[*?\[{]")


def source_path(source: str) -> str | None:
    """The path a `--source` value names (`parquet:/x`, `/data/orders`, `s3a://b/o`), or None for
    a table name."""
    fmt, path = format_and_path(source)
    return None if fmt is None else path


def local_source_problems(sources: Mapping[str, str]) -> list[str]:
    """Bindings to local paths that do not exist; checked without Spark.

    A path without a scheme is local only when no Hadoop configuration is in the environment (with
    HADOOP_CONF_DIR the default file system may be HDFS): `cluster_source_problems` checks the rest.
    Globs (`*`, `?`, `[...]`) must match something.
    """
    problems = []
    for step, source in sorted(sources.items()):
        local = _local_path(source_path(source))
        if local is not None and not _exists_locally(local):
            problems.append(_missing(step, source, local))
    return problems


def cluster_source_problems(spark: SparkSession, sources: Mapping[str, str]) -> list[str]:
    """Bindings to paths that the cluster's file systems (HDFS, S3 ...) do not have; one call to
    the Hadoop FileSystem API per path, no Spark job."""
    problems = []
    for step, source in sorted(sources.items()):
        path = source_path(source)
        if path is None or _local_path(path) is not None:
            continue
        try:
            found = _exists_on_cluster(spark, path)
        except Exception as exc:
            problems.append(f"--source {step}={source}: cannot check {path}: {describe(exc)}")
            continue
        if not found:
            problems.append(_missing(step, source, path))
    return problems


def _missing(step: str, source: str, path: str) -> str:
    return (
        f"--source {step}={source}: {path} does not exist; check the path, or bind another input "
        f"with --source {step}=TABLE_OR_PATH"
    )


def _local_path(path: str | None) -> str | None:
    """The local file-system path of `path`, or None when it lives elsewhere (or may), or uses
    Hadoop's `{a,b}` glob, which Python's glob does not know: the Hadoop check handles those."""
    if path is None or "{" in path:
        return None
    parsed = urlparse(path)
    if parsed.scheme == "file":
        return parsed.path
    if parsed.scheme or os.environ.get("HADOOP_CONF_DIR") or os.environ.get("YARN_CONF_DIR"):
        return None
    return path


def _exists_locally(path: str) -> bool:
    return bool(glob.glob(path)) if _GLOB.search(path) else Path(path).exists()


def _exists_on_cluster(spark: SparkSession, path: str) -> bool:
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[union-attr]
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if _GLOB.search(path):
        matches = fs.globStatus(hadoop_path)
        return matches is not None and len(matches) > 0
    return bool(fs.exists(hadoop_path))
