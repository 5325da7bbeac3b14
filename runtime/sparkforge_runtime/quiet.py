"""Silence chosen JVM loggers for the duration of a block (log4j 2, Spark's logging backend), and
the loggers whose output a job never needs (`quiet_spark`, `quiet_query_context`); the job's own
logger (`job_logging`).

Input: a SparkSession and logger names. Output: a context manager; inside it those loggers are
OFF, afterwards they are back at their previous level.

    with silenced(spark, ("org.apache.derby", "DataNucleus")):
        spark.catalog.databaseExists("default")      # no Derby stack traces on stderr

Log levels are process-wide while blocks run in threads (two lease claims at once), so each logger
is switched off by the first block that needs it and restored by the last one to leave.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from py4j.java_gateway import JavaClass
from pyspark.sql import SparkSession

HIVE_ALTER_LOGGER = "org.apache.hadoop.hive.metastore.HiveAlterHandler"
# Warnings that every run provokes and that say nothing to act on, kept at ERROR: a Delta table
# has no Hive SerDe and its schema lives in Delta's log (each overwrite logs a JVM stack), a
# step's scheduler pool is created on first use, a schema looked up before it exists.
HARMLESS_WARNINGS = (
    "org.apache.spark.sql.hive.HiveExternalCatalog",
    "org.apache.spark.scheduler.FairSchedulableBuilder",
    "org.apache.hadoop.hive.metastore.ObjectStore",
    "org.apache.hadoop.hive.conf.HiveConf",
    "org.apache.spark.scheduler.TaskSetManager",  # "Lost task" with the task's stack; "aborting" stays
)
# A failed task's error with its JVM stack, logged in local mode by the driver's executor (and, for a
# write, "Aborting task" by Utils), and a failed query's stack again from Spark's own observation
# listener (ExecutionListenerBus): the failed step's line already names it.
TASK_ERRORS = tuple(f"org.apache.spark.{n}" for n in ("executor.Executor", "util.Utils", "sql.util.ExecutionListenerBus"))
QUERY_CONTEXT_LOGGERS = ("DataFrameQueryContextLogger", "SQLQueryContextLogger")
_lock = threading.Lock()
_users: dict[str, int] = {}
_saved: dict[str, Any] = {}


@contextmanager
def silenced(spark: SparkSession, loggers: Sequence[str]) -> Iterator[None]:
    """Turn `loggers` OFF inside the block; a cluster without log4j 2 is left as it is."""
    log4j = _log4j(spark)
    if log4j is None:
        yield
        return
    with _lock:
        for name in loggers:
            if _users.get(name, 0) == 0:
                _saved[name] = log4j.LogManager.getLogger(name).getLevel()
                log4j.core.config.Configurator.setLevel(name, log4j.Level.OFF)
            _users[name] = _users.get(name, 0) + 1
    try:
        yield
    finally:
        with _lock:
            for name in loggers:
                _users[name] -= 1
                if _users[name] == 0:
                    log4j.core.config.Configurator.setLevel(name, _saved.pop(name))


def quiet_spark(spark: SparkSession, level: str | None) -> None:
    """Spark's log level when one is given, and off for the Hive metastore's harmless "Failed to
    alter table" on every Delta overwrite (Delta keeps the schema in its own log), ERROR for the
    other `HARMLESS_WARNINGS` and off for `TASK_ERRORS` unless `level` is neither WARN nor ERROR.
    A cluster with another logging backend keeps its configuration."""
    if level:
        spark.sparkContext.setLogLevel(level)
    log4j = _log4j(spark)
    if log4j is None:
        return
    quiet = (level or "WARN").upper() in ("WARN", "ERROR")
    for name in (HIVE_ALTER_LOGGER, *(HARMLESS_WARNINGS + TASK_ERRORS if quiet else ())):
        log4j.core.config.Configurator.setLevel(name, log4j.Level.ERROR if name in HARMLESS_WARNINGS else log4j.Level.OFF)


def quiet_query_context() -> dict[str, int]:
    """PySpark logs every analysis error again as JSON with its JVM stack on stderr; a failed
    step's one line already says it (and --verbose prints the traceback). Returns the levels the
    loggers had."""
    from pyspark.logger import PySparkLogger  # the loggers must be PySpark's own class

    before = {}
    for name in QUERY_CONTEXT_LOGGERS:
        logger = PySparkLogger.getLogger(name)
        before[name] = logger.level
        logger.setLevel(logging.CRITICAL + 1)
    return before


def _log4j(spark: SparkSession) -> Any:
    """log4j's classes in this process's JVM; None without one (a Spark Connect client)."""
    try:
        log4j = spark.sparkContext._jvm.org.apache.logging.log4j  # type: ignore[union-attr]
        found = isinstance(log4j.core.config.Configurator, JavaClass)
    except Exception:
        return None
    return log4j if found else None


def job_logging(name: str, level: str, *, quiet: bool = True) -> None:
    """The job's own logger `name` at `level`, on stderr unless logging is set up already; `quiet`
    also silences Spark's query-context logs (`--verbose` keeps them)."""
    if quiet:
        quiet_query_context()
    logger = logging.getLogger(name)
    logger.setLevel(level)
    if not logging.getLogger().handlers and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
