"""Checks made before Spark starts or before the first write, so a bad input stops a run early.

Input: option values (a table name, `--source` bindings) and, for the checks that need one, a
SparkSession. Output: None or a list of problems, each one line that names the culprit and the fix;
the caller prints them and exits 2 (bad arguments or an unusable environment).

    table_name_problem("x; DROP TABLE shop.t", what="--log-table")
    -> "--log-table 'x; DROP TABLE shop.t' is not a valid table name: ..."
    local_source_problems({"orders": "parquet:/landing/orders"})
    -> ["--source orders=parquet:/landing/orders: /landing/orders does not exist; ..."]
    metastore_problem(spark)
    -> "the metastore at /data/metastore_db is in use by another process (embedded Derby ...)"

Order in a run: `before_spark` (`table_name_problem`, `local_source_problems`) before the session
is built; `after_spark` (`delta_available`, `metastore_problem`, `cluster_source_problems`) right
after it, before any table is touched.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from py4j.java_gateway import JavaClass
from pyspark.sql import SparkSession

from sparkforge_runtime.connect import connect_delta_available, is_connect
from sparkforge_runtime.failures import describe
from sparkforge_runtime.quiet import silenced
from sparkforge_runtime.report import submit_command
from sparkforge_runtime.sources import format_and_path


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The table-name rule, here because the runtime cannot import the compiler (sparkforge.security
# imports these): up to catalog.schema.table, each part [A-Za-z_][A-Za-z0-9_]*, schema parts <= 64
# and the table part <= 128 characters, no reserved SQL word (statement keywords and ANSI words).
MAX_SCHEMA_NAME = 64
MAX_TABLE_NAME = 128
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED_NAMES = _words(
    """DROP DELETE INSERT UPDATE MERGE UPSERT CREATE ALTER TRUNCATE RENAME GRANT REVOKE DENY SELECT
    UNION INTERSECT EXCEPT MINUS VALUES FROM WHERE GROUP HAVING ORDER LIMIT OFFSET JOIN INTO TABLE
    VIEW DATABASE SCHEMA WITH EXEC EXECUTE CALL SET RESET USE LOAD REFRESH CACHE UNCACHE CLEAR
    DESCRIBE SHOW EXPLAIN ANALYZE MSCK OPTIMIZE VACUUM RESTORE COPY ADD LIST REPAIR COMMIT ROLLBACK
    BEGIN TRANSACTION DECLARE PREPARE IMMEDIATE LATERAL OVER SHUTDOWN KILL
    ALL AND ANY AS AUTHORIZATION BOTH CASE CAST CHECK COLLATE COLUMN CONSTRAINT CROSS
    CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DISTINCT ELSE END ESCAPE FALSE FETCH
    FILTER FOR FOREIGN FULL IN INNER IS LEADING LEFT NATURAL NOT NULL ON ONLY OR OUTER OVERLAPS
    PRIMARY REFERENCES RIGHT SESSION_USER SOME THEN TIME TO TRAILING TRUE UNIQUE UNKNOWN USER USING
    WHEN"""
)

# Loggers of the Hive metastore client and its embedded Derby database: a metastore that cannot
# start makes them print tens of thousands of stack-trace lines.
METASTORE_LOGGERS = (
    "org.apache.hadoop.hive",
    "hive.metastore",
    "hive.ql",
    "DataNucleus",
    "org.datanucleus",
    "org.apache.derby",
    "org.apache.spark.sql.hive",
    "com.zaxxer.hikari",
    "com.jolbox.bonecp",
)
_DERBY_IN_USE = ("Another instance of Derby", "XSDB6", "Failed to start database")
_CLIENT_FAILED = ("Unable to instantiate", "SessionHiveMetaStoreClient", "HiveMetaStoreClient")
_GLOB = re.compile(r"[*?\[{]")


def before_spark(log_table: str | None, sources: Mapping[str, str]) -> list[str]:
    """What a job checks before Spark starts: the run log's name and local `--source` paths."""
    named = table_name_problem(log_table, what="--log-table") if log_table else None
    return [*([named] if named else []), *local_source_problems(sources)]


def after_spark(spark: SparkSession, script: str, sources: Mapping[str, str]) -> str | None:
    """What can only be checked in a session: Delta Lake (first: without it the catalog fails
    too), the metastore, cluster paths (neither over Spark Connect: the server has them)."""
    if not delta_available(spark):
        return _no_delta(spark, script)
    if is_connect(spark):
        return None
    return metastore_problem(spark) or next(iter(cluster_source_problems(spark, sources)), None)


def _no_delta(spark: SparkSession, script: str) -> str:
    if is_connect(spark):
        return (
            "The Spark Connect server has no Delta Lake, so the job cannot write its tables.\n"
            "Start the server with the Delta jars and settings: docs/jobs.md, \"Running on Spark Connect\"."
        )
    return (
        "Delta Lake is not on the classpath of this Spark session, so the job cannot write its "
        f"tables.\nStart it with the Delta package and settings:\n\n  {submit_command(script)}"
    )


def table_name_problem(name: str, *, what: str = "run-log table") -> str | None:
    """Why `name` is not a safe `schema.table` name, or None when it is."""
    reason = _name_problem(name)
    if reason is None:
        return None
    return (
        f"{what} {name!r} is not a valid table name: {reason}; write it as schema.table with "
        "letters, digits and underscores, e.g. 'analytics.pipeline_logs'"
    )


def _name_problem(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) > 3:
        return f"it has {len(parts)} parts; at most catalog.schema.table"
    limits = [MAX_SCHEMA_NAME] * (len(parts) - 1) + [MAX_TABLE_NAME]
    problems = (_identifier_problem(part, limit) for part, limit in zip(parts, limits, strict=True))
    return next((p for p in problems if p), None)


def _identifier_problem(part: str, limit: int) -> str | None:
    if not part:
        return "it has an empty part around '.'"
    if len(part) > limit:
        return f"{part[:40]!r} is {len(part)} characters long, the limit is {limit}"
    if not IDENTIFIER.fullmatch(part):
        bad = next((c for c in part if not (c.isascii() and (c.isalnum() or c == "_"))), part[0])
        return f"{part!r} contains {bad!r}" if not part[0].isdigit() else f"{part!r} starts with a digit"
    if part.upper() in RESERVED_NAMES:
        return f"{part!r} is the reserved SQL word {part.upper()}"
    return None


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


def delta_available(spark: SparkSession) -> bool:
    """True when the Delta Lake classes are on the driver's classpath.

    py4j resolves names through the context class loader, which also sees jars added at run time by
    `--jars`, `--packages` or `spark.jars` (`Class.forName` from the system loader does not).
    Over Spark Connect: on the server.
    """
    if is_connect(spark):
        return connect_delta_available(spark)
    jvm = spark.sparkContext._jvm
    if jvm is None:
        return False
    try:
        return isinstance(jvm.io.delta.tables.DeltaTable, JavaClass)
    except Exception:
        return False


def metastore_problem(spark: SparkSession) -> str | None:
    """Probe the catalog once, with the metastore's loggers off; None when it answers, else one
    line saying why not and what to do."""
    with silenced(spark, METASTORE_LOGGERS):
        try:
            spark.catalog.databaseExists("default")
        except Exception as exc:
            return metastore_message(spark, exc)
    return None


def metastore_message(spark: SparkSession, exc: BaseException) -> str:
    """The one-line explanation of a metastore that cannot be used."""
    text = _chain_text(exc)
    if any(marker in text for marker in _DERBY_IN_USE) or (
        _is_embedded_derby(spark) and any(marker in text for marker in _CLIENT_FAILED)
    ):
        return (
            f"the metastore at {metastore_path(spark)} is in use by another process (embedded "
            "Derby allows one); wait for it to finish, or use a shared metastore "
            "(spark.sql.catalogImplementation / hive.metastore.uris)"
        )
    return (
        f"the metastore cannot be used: {describe(exc)}; check hive.metastore.uris and that the "
        "metastore service is running, or run with spark.sql.catalogImplementation=in-memory"
    )


def metastore_path(spark: SparkSession) -> str:
    """Where the embedded Derby metastore lives (its `databaseName`), as an absolute path."""
    url = _hadoop_conf(spark, "javax.jdo.option.ConnectionURL") or ""
    found = re.search(r"databaseName=([^;]+)", url) or re.search(r"jdbc:derby:([^;]+)", url)
    name = found.group(1) if found else "metastore_db"
    home = _jvm_property(spark, "derby.system.home") or os.getcwd()
    return str(Path(home, name)) if not Path(name).is_absolute() else name


def _is_embedded_derby(spark: SparkSession) -> bool:
    url = _hadoop_conf(spark, "javax.jdo.option.ConnectionURL") or "jdbc:derby:"
    return url.startswith("jdbc:derby:") and not _hadoop_conf(spark, "hive.metastore.uris")


def _hadoop_conf(spark: SparkSession, key: str) -> str | None:
    conf = spark.sparkContext.getConf()
    value = conf.get(f"spark.hadoop.{key}") or spark.sparkContext._jsc.hadoopConfiguration().get(key)
    return str(value) if value else None


def _jvm_property(spark: SparkSession, key: str) -> str | None:
    value = spark.sparkContext._jvm.java.lang.System.getProperty(key)  # type: ignore[union-attr]
    return str(value) if value else None


def _chain_text(exc: BaseException) -> str:
    """Every message in the Python and Java cause chains, for the markers above."""
    texts: list[str] = []
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            break
        texts.append(str(current))
        java = getattr(current, "java_exception", None)
        if java is not None:
            texts.append(str(java.toString()))
        current = current.__cause__ or current.__context__
    return "\n".join(texts)
