"""Checks made before Spark starts or before the first write, so a bad input stops a run early.

Input: option values (a table name, `--source` bindings) and, for the checks that need one, a
SparkSession. Output: None or a list of problems, each one line that names the culprit and the fix;
the caller prints them and exits 2 (bad arguments or an unusable environment).

    table_name_problem("x; DROP TABLE shop.t", what="--log-table")
    -> "--log-table 'x; DROP TABLE shop.t' is not a valid table name: ..."
    metastore_problem(spark)
    -> "the metastore at /data/metastore_db is in use by another process (embedded Derby ...)"

Order in a run: `before_spark` (`table_name_problem`, `local_source_problems`) before the session
is built; `after_spark` (`delta_available`, `metastore_problem`, `cluster_source_problems`) right
after it, before any table is touched. The `--source` path checks (source_checks) load only when a
run binds one, the explanation of a failed metastore probe (metastore) only when it failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from py4j.java_gateway import JavaClass
from pyspark.sql import SparkSession

from sparkforge_runtime.connect import is_connect
from sparkforge_runtime.quiet import silenced
from sparkforge_runtime.report import submit_command


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


def before_spark(log_table: str | None, sources: Mapping[str, str]) -> list[str]:
    """What a job checks before Spark starts: the run log's name and local `--source` paths."""
    named = table_name_problem(log_table, what="--log-table") if log_table else None
    problems = [named] if named else []
    if sources:  # their checks load only for runs that bind one
        from sparkforge_runtime.source_checks import local_source_problems

        problems += local_source_problems(sources)
    return problems


def after_spark(spark: SparkSession, script: str, sources: Mapping[str, str]) -> str | None:
    """What can only be checked in a session: Delta Lake (first: without it the catalog fails
    too), the metastore, cluster paths (neither over Spark Connect: the server has them)."""
    if not delta_available(spark):
        return _no_delta(spark, script)
    if is_connect(spark):
        return None
    problem = metastore_problem(spark)
    if problem is not None or not sources:
        return problem
    from sparkforge_runtime.source_checks import cluster_source_problems

    return next(iter(cluster_source_problems(spark, sources)), None)


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


def delta_available(spark: SparkSession) -> bool:
    """True when the Delta Lake classes are on the driver's classpath.

    py4j resolves names through the context class loader, which also sees jars added at run time by
    `--jars`, `--packages` or `spark.jars` (`Class.forName` from the system loader does not).
    Over Spark Connect: on the server.
    """
    if is_connect(spark):
        from sparkforge_runtime.connect_remote import connect_delta_available

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
            from sparkforge_runtime.metastore import metastore_message  # only when it failed

            return metastore_message(spark, exc)
    return None


