"""Writing tables (Delta Lake; Parquet and other file formats in tables_files.py), and the catalog.

Input: DataFrames and table names. Output: tables written, facts about tables read. Every write is
one Spark action; Delta makes it atomic, so a failed write leaves the table as it was.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge_runtime.appends import append
from sparkforge_runtime.errors import TableWriteError
from sparkforge_runtime.failures import write_failure
from sparkforge_runtime.tables_schema import schema as schema  # the log tables import it from here


def split_fqn(fqn: str) -> tuple[str | None, str]:
    schema, _, table = fqn.rpartition(".")
    return (schema or None), table


def quote_fqn(fqn: str) -> str:
    """`schema.table` as a SQL identifier: each part in backticks."""
    return ".".join(f"`{part}`" for part in fqn.split("."))


def table_exists(spark: SparkSession, fqn: str) -> bool:
    return bool(spark.catalog.tableExists(fqn))


def ensure_schema(spark: SparkSession, schema: str | None) -> None:
    if schema and not spark.catalog.databaseExists(schema):
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{schema}`")


def last_commit(spark: SparkSession, fqn: str) -> tuple[int, dict[str, Any]] | None:
    """The version and decoded `userMetadata` of a Delta table's newest commit; None when missing
    or not Delta. Reads the table's commit log, not its data files."""
    if not table_exists(spark, fqn):
        return None
    try:
        rows = spark.sql(f"DESCRIBE HISTORY {quote_fqn(fqn)} LIMIT 1").select("version", "userMetadata").collect()
    except Exception:  # not a Delta table
        return None
    if not rows:
        return None
    try:
        metadata = json.loads(rows[0]["userMetadata"] or "{}")
    except ValueError:
        metadata = {}
    return int(rows[0]["version"]), metadata if isinstance(metadata, dict) else {}


def write_table(
    df: DataFrame,
    fqn: str,
    *,
    mode: str,
    table_format: str = "delta",
    merge_keys: Sequence[str] = (),
    step: str = "",
    commit_metadata: str | None = None,
    options: Mapping[str, str] | None = None,
) -> None:
    """Write `df` to `fqn` with mode overwrite, append or merge (upsert on `merge_keys`).

    `commit_metadata` goes in the Delta commit (`userMetadata`), `options` to the writer.
    """
    spark = df.sparkSession
    ensure_schema(spark, split_fqn(fqn)[0])
    try:
        if mode == "merge" and table_exists(spark, fqn):
            _merge(df, fqn, merge_keys)
            return
        if table_format != "delta":
            from sparkforge_runtime.tables_files import write_files  # Parquet pipelines only

            write_files(df, fqn, mode, table_format)
            return
        every = {**({"userMetadata": commit_metadata} if commit_metadata is not None else {}), **(options or {})}
        if mode == "append":
            append(df, fqn, **every)
            return
        df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").options(**every).saveAsTable(fqn)
    except Exception as exc:
        raise TableWriteError(write_failure(step, fqn, mode, exc)) from exc


def _merge(df: DataFrame, fqn: str, keys: Sequence[str]) -> None:
    """Upsert on `keys` (NULL-safe equality): matched rows are updated, the others inserted. Spark's
    own `DataFrame.mergeInto`, which Delta runs as it runs `MERGE INTO`: the same path on a classic
    session and over Spark Connect (where Delta's Python API has no JVM to call)."""
    if not keys:
        raise TableWriteError(f"merge into {fqn} needs merge_keys (the columns that identify a row)")
    on = " AND ".join(f"{quote_fqn(fqn)}.`{k}` <=> s.`{k}`" for k in keys)
    merge = df.alias("s").mergeInto(fqn, F.expr(on))
    merge.whenMatched().updateAll().whenNotMatched().insertAll().merge()
