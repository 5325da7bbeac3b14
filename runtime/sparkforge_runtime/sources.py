"""Reading a bronze input: a DataFrame, a table, or a path (`--source orders=parquet:/data/orders`).

Input: a SparkSession, the step's input as bound (a `--source` value, `bronze_sources`, or its
table). Output: its DataFrame, or a `SourceError` naming the step and how to bind another input.

    format_and_path("parquet:/data/orders")  ->  ("parquet", "/data/orders")
    format_and_path("raw.orders")            ->  (None, "raw.orders")       # a table
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, SparkSession

from sparkforge_runtime.errors import SourceError

PATH_FORMATS = ("parquet", "delta", "csv", "json", "orc")


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
    fmt, path = format_and_path(source)
    if fmt is None:
        if not spark.catalog.tableExists(source):
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


def format_and_path(source: str) -> tuple[str | None, str]:
    """The file format and path a source names; (None, source) for a table name."""
    head, sep, rest = source.partition(":")
    if sep and head.lower() in PATH_FORMATS and not rest.startswith("//"):
        return head.lower(), rest
    if "/" in source:
        suffix = source.rstrip("/").rsplit(".", 1)[-1].lower()
        return (suffix if suffix in PATH_FORMATS else "parquet"), source
    return None, source
