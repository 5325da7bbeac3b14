"""Reading inputs and writing tables (Delta Lake by default, Parquet as an option).

Input: a SparkSession, table names or paths, DataFrames. Output: DataFrames read, tables written.
Every write is one Spark action; Delta makes it atomic, so a failed write leaves the table as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from sparkforge_runtime.errors import SourceError, TableWriteError
from sparkforge_runtime.failures import write_failure

PATH_FORMATS = ("parquet", "delta", "csv", "json", "orc")
_TYPES = {t.typeName(): t for t in (StringType(), LongType(), IntegerType(), DoubleType(),
                                     BooleanType(), TimestampType())}  # fmt: skip


def schema(spec: str) -> StructType:
    """A StructType from `name type` pairs, `!` marking NOT NULL: `"run_id string!, note string"`."""
    fields = [f.split() for f in spec.split(",")]
    return StructType([StructField(n, _TYPES[t.rstrip("!")], not t.endswith("!")) for n, t in fields])


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
        raise TableWriteError(write_failure(step, fqn, mode, exc)) from exc


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
    """Upsert on `keys` (NULL-safe equality): matched rows are updated, the others inserted. Spark's
    own `DataFrame.mergeInto`, which Delta runs as it runs `MERGE INTO`: the same path on a classic
    session and over Spark Connect (where Delta's Python API has no JVM to call)."""
    if not keys:
        raise TableWriteError(f"merge into {fqn} needs merge_keys (the columns that identify a row)")
    on = " AND ".join(f"{quote_fqn(fqn)}.`{k}` <=> s.`{k}`" for k in keys)
    merge = df.alias("s").mergeInto(fqn, F.expr(on))
    merge.whenMatched().updateAll().whenNotMatched().insertAll().merge()
