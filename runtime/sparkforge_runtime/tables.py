"""Reading inputs and writing tables (Delta Lake by default, Parquet as an option).

Input: a SparkSession, table names or paths, DataFrames. Output: DataFrames read, tables written.
Every write is one Spark action; Delta makes it atomic, so a failed write leaves the table as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge_runtime.connect import is_connect, merge_into
from sparkforge_runtime.errors import SourceError, TableWriteError
from sparkforge_runtime.failures import describe

PATH_FORMATS = ("parquet", "delta", "csv", "json", "orc")


def split_fqn(fqn: str) -> tuple[str | None, str]:
    schema, _, table = fqn.rpartition(".")
    return (schema or None), table


def quote_fqn(fqn: str) -> str:
    """`schema.table` as a SQL identifier: each part in backticks."""
    return ".".join(f"`{part}`" for part in fqn.split("."))


def schema_exists(spark: SparkSession, schema: str) -> bool:
    return bool(spark.catalog.databaseExists(schema))


def table_exists(spark: SparkSession, fqn: str) -> bool:
    return bool(spark.catalog.tableExists(fqn))


def ensure_schema(spark: SparkSession, schema: str | None) -> None:
    if schema and not schema_exists(spark, schema):
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{schema}`")


def read_source(spark: SparkSession, source: Any, *, step: str) -> DataFrame:
    """A bronze input: a DataFrame, a table name, or `format:path` / a path (format from its suffix).

    `csv:` and `json:` paths are read with a header and schema inference off by default for speed;
    pass a table or DataFrame for full control.
    """
    if isinstance(source, DataFrame):
        return source
    if not isinstance(source, str) or not source.strip():
        raise SourceError(
            f"bronze step {step!r}: source must be a DataFrame, a table name or a path, got {source!r}"
        )
    fmt, path = _format_and_path(source)
    if fmt is None:
        if not table_exists(spark, source):
            raise SourceError(
                f"bronze step {step!r}: source table {source!r} does not exist; create it, or bind "
                f"another input with --source {step}=TABLE_OR_PATH (or bronze_sources={{{step!r}: df}})"
            )
        return spark.table(source)
    reader = spark.read.format(fmt)
    if fmt == "csv":
        reader = reader.option("header", "true").option("inferSchema", "true")
    try:
        return reader.load(path)
    except Exception as exc:
        raise SourceError(f"bronze step {step!r}: cannot read {fmt} input at {path!r}: {exc}") from exc


def _format_and_path(source: str) -> tuple[str | None, str]:
    head, sep, rest = source.partition(":")
    if sep and head.lower() in PATH_FORMATS and not rest.startswith("//"):
        return head.lower(), rest
    if "/" in source:
        suffix = source.rstrip("/").rsplit(".", 1)[-1].lower()
        return (suffix if suffix in PATH_FORMATS else "parquet"), source
    return None, source


def max_value(spark: SparkSession, fqn: str, column: str) -> Any:
    """The largest `column` in table `fqn`, or None when the table is missing or empty."""
    if not table_exists(spark, fqn):
        return None
    table = spark.table(fqn)
    if column not in table.columns:
        return None
    return table.agg(F.max(F.col(column)).alias("m")).first()["m"]  # type: ignore[index]


def last_commit_metadata(spark: SparkSession, fqn: str) -> str | None:
    """The `userMetadata` of a Delta table's newest commit; None when missing or not Delta.

    Reads the table's commit log, not its data files (Delta may still run a small job or two to load
    the log's state).
    """
    if not table_exists(spark, fqn):
        return None
    try:
        rows = spark.sql(f"DESCRIBE HISTORY {quote_fqn(fqn)} LIMIT 1").select("userMetadata").collect()
    except Exception:  # not a Delta table
        return None
    return rows[0]["userMetadata"] if rows else None


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

    `commit_metadata` is stored in the Delta commit of an overwrite or append (`userMetadata`).
    """
    spark = df.sparkSession
    ensure_schema(spark, split_fqn(fqn)[0])
    try:
        if mode == "merge" and table_exists(spark, fqn):
            _merge(df, fqn, merge_keys)
            return
        if table_format != "delta":
            _write_files(df, fqn, mode, table_format)
            return
        writer = df.write.format(table_format).mode("append" if mode == "append" else "overwrite")
        if mode != "append" and table_format == "delta":
            writer = writer.option("overwriteSchema", "true")
        if commit_metadata is not None:
            writer = writer.option("userMetadata", commit_metadata)
        writer = writer.options(**(options or {}))  # txnAppId/txnVersion: a retried write is skipped
        writer.saveAsTable(fqn)
    except Exception as exc:
        raise TableWriteError(_write_message(step, fqn, mode, exc)) from exc


def _write_files(df: DataFrame, fqn: str, mode: str, table_format: str) -> None:
    """Parquet (or another file format): create on first write, then insert by column name.

    Unlike Delta, such a table keeps its schema and an overwrite is not atomic: use Delta when
    readers must never see a half-written table.
    """
    spark = df.sparkSession
    if not table_exists(spark, fqn):
        df.write.format(table_format).saveAsTable(fqn)
        return
    columns = spark.table(fqn).columns
    missing = sorted(set(columns) - set(df.columns))
    if missing:
        raise TableWriteError(f"{fqn} has columns the new rows lack: {missing}")
    df.select(*columns).write.insertInto(fqn, overwrite=mode != "append")


def _merge(df: DataFrame, fqn: str, keys: Sequence[str]) -> None:
    if not keys:
        raise TableWriteError(f"merge into {fqn} needs merge_keys (the columns that identify a row)")
    if is_connect(df.sparkSession):  # Delta's Python API needs the JVM
        merge_into(df, fqn, keys)
        return
    from delta.tables import DeltaTable

    condition = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
    target = DeltaTable.forName(df.sparkSession, fqn)
    (
        target.alias("t")
        .merge(df.alias("s"), condition)
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )


def _write_message(step: str, fqn: str, mode: str, exc: Exception) -> str:
    text = describe(exc)  # the error class and first line, never "An error occurred ... oNNN"
    hint = ""
    if mode in ("append", "merge") and any(w in text.lower() for w in ("schema", "mismatch")):
        hint = (
            "; the new rows do not match the table's schema: run with --mode full-refresh "
            "(run_full_refresh) to rebuild the table, or change the transform to produce its columns"
        )
    who = f"step {step!r}: " if step else ""
    return f"{who}writing {fqn} ({mode}) failed, the table is unchanged: {text}{hint}"
