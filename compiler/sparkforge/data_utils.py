"""DataFrame helpers: deterministic sample data, an all-rows-valid check, and column statistics.

Input: a SparkSession and a schema (StructType or DDL string), or a DataFrame and rules.
Output: a sample DataFrame computed by Spark itself (`spark.range` plus hash expressions, so it
scales and never passes through the driver), a bool, or a stats dict. The check and the stats
each cost one aggregate query, a single pass over the data, never a pair of counts.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparkforge.exceptions import ValidationError
from sparkforge.rules import ColumnRules
from sparkforge.validation import and_all_rules

__all__ = ["create_sample_dataframe", "get_dataframe_stats", "validate_dataframe"]

_EPOCH_2024 = 1_704_067_200  # 2024-01-01T00:00:00Z: sample dates and times start here
_TWO_YEARS_SECS = 2 * 365 * 86_400


def _col(name: str) -> Column:
    """A column reference that survives dots, spaces and backquotes in `name`."""
    return F.col("`" + name.replace("`", "``") + "`")


def _hash(seed: int, index: int, salt: str = "") -> Column:
    return F.xxhash64(F.lit(seed), F.lit(index), F.lit(salt), F.col("id"))


def _below(seed: int, index: int, modulus: int, salt: str = "") -> Column:
    return F.pmod(_hash(seed, index, salt), F.lit(modulus))


def _decimal(field: T.StructField, h: Column) -> Column:
    """Exact decimal(p, s) values from digit strings (decimal arithmetic would round)."""
    dtype = field.dataType
    assert isinstance(dtype, T.DecimalType)
    p, s = dtype.precision, dtype.scale
    digits = F.lpad(F.pmod(h, F.lit(10 ** min(p, 18))).cast("string"), p, "0")
    whole = F.substring(digits, 1, p - s) if p > s else F.lit("0")
    text = F.concat(whole, F.lit("."), F.substring(digits, p - s + 1, s)) if s else whole
    return text.cast(dtype)


_GENERATORS: dict[type[T.DataType], Callable[[T.StructField, Column], Column]] = {
    T.StringType: lambda f, h: F.concat(F.lit(f"{f.name}_"), F.col("id").cast("string")),
    T.VarcharType: lambda f, h: F.substring(F.concat(F.lit(f"{f.name}_"), F.col("id")), 1,
                                            f.dataType.length),  # type: ignore[attr-defined]
    T.CharType: lambda f, h: F.substring(F.concat(F.lit(f"{f.name}_"), F.col("id")), 1,
                                         f.dataType.length),  # type: ignore[attr-defined]
    T.IntegerType: lambda f, h: F.pmod(h, F.lit(1_000_000)).cast("int"),
    T.LongType: lambda f, h: F.pmod(h, F.lit(10**12)),
    T.ShortType: lambda f, h: F.pmod(h, F.lit(30_000)).cast("short"),
    T.ByteType: lambda f, h: F.pmod(h, F.lit(128)).cast("byte"),
    T.DoubleType: lambda f, h: F.pmod(h, F.lit(10**8)).cast("double") / 100.0,
    T.FloatType: lambda f, h: (F.pmod(h, F.lit(10**6)).cast("double") / 100.0).cast("float"),
    T.BooleanType: lambda f, h: F.pmod(h, F.lit(2)) == 0,
    T.DateType: lambda f, h: F.date_add(F.lit("2024-01-01").cast("date"),
                                        F.pmod(h, F.lit(730)).cast("int")),
    T.TimestampType: lambda f, h: F.timestamp_seconds(F.lit(_EPOCH_2024)
                                                      + F.pmod(h, F.lit(_TWO_YEARS_SECS))),
    T.TimestampNTZType: lambda f, h: F.timestamp_seconds(
        F.lit(_EPOCH_2024) + F.pmod(h, F.lit(_TWO_YEARS_SECS))).cast("timestamp_ntz"),
    T.DecimalType: _decimal,
}


def _literal(dtype: T.DataType) -> Column:
    """A non-null literal of `dtype` (a cast literal is still known to be non-null)."""
    if isinstance(dtype, T.StringType | T.CharType | T.VarcharType):
        return F.lit("")
    if isinstance(dtype, T.BooleanType):
        return F.lit(False)
    if isinstance(dtype, T.DateType):
        return F.lit(datetime.date(2024, 1, 1))
    if isinstance(dtype, T.TimestampType | T.TimestampNTZType):
        return F.timestamp_seconds(F.lit(_EPOCH_2024)).cast(dtype)
    if isinstance(dtype, T.DecimalType):  # an int literal may not fit decimal(3,3): use 0.000
        return F.lit(decimal.Decimal(0).scaleb(-dtype.scale)).cast(dtype)
    return F.lit(0).cast(dtype)


def _as_struct(spark: SparkSession, schema: T.StructType | str) -> T.StructType:
    if isinstance(schema, T.StructType):
        return schema
    if not isinstance(schema, str) or not schema.strip():
        raise ValueError(f"schema must be a StructType or a DDL string, got {schema!r}")
    spark.sparkContext  # noqa: B018 - fromDDL parses with the active context, so make sure of it
    parsed = T.StructType.fromDDL(schema)
    if not isinstance(parsed, T.StructType):
        raise ValueError(f"schema {schema!r} is not a list of columns ('id INT, name STRING')")
    return parsed


def _dataframe_type(dtype: T.DataType) -> T.DataType:
    """DataFrames hold char(n)/varchar(n) as string (Spark rejects them in plans otherwise)."""
    return T.StringType() if isinstance(dtype, T.CharType | T.VarcharType) else dtype


def create_sample_dataframe(
    spark: SparkSession, schema: T.StructType | str, num_rows: int = 1000, seed: int = 42
) -> DataFrame:
    """`num_rows` rows of deterministic values (same seed, same data) for `schema`.

    Strings are `<column>_<row>`; numbers, dates (2024-2025) and timestamps come from a hash of
    (seed, column, row); nullable columns are NULL in about 5% of rows (also hash-chosen).
    Supported types: string, varchar(n) and char(n) (as strings of at most n characters), int, long, short, byte, double, float, boolean,
    date, timestamp, timestamp_ntz, decimal(p, s).
    """
    if isinstance(num_rows, bool) or not isinstance(num_rows, int) or num_rows < 0:
        raise ValueError(f"num_rows must be an integer >= 0, got {num_rows!r}")
    struct = _as_struct(spark, schema)
    columns = []
    for index, field in enumerate(struct.fields):
        make = _GENERATORS.get(type(field.dataType))
        if make is None:
            supported = ", ".join(sorted(t.typeName() for t in _GENERATORS))
            raise ValueError(
                f"column {field.name!r} has type {field.dataType.simpleString()}, which "
                f"create_sample_dataframe cannot generate; supported: {supported}"
            )
        value = make(field, _hash(seed, index))
        if field.nullable:
            value = F.when(_below(seed, index, 100, "null") >= 5, value)
        else:  # Spark thinks pmod & co. may be NULL; a never-used literal proves they are not
            value = F.coalesce(value, _literal(field.dataType))
        columns.append(value.alias(field.name))
    target = T.StructType([T.StructField(f.name, _dataframe_type(f.dataType), f.nullable,
                                         f.metadata) for f in struct.fields])
    return spark.range(num_rows).select(*columns).to(target)


def validate_dataframe(df: DataFrame, rules: ColumnRules | Sequence[Column]) -> bool:
    """True iff every row satisfies every rule (a NULL rule result counts as a failure).

    `rules` takes every form of SPEC section 1 (Columns, shorthands, operator lists, SQL strings
    checked by the security layer), parsed by `validation.and_all_rules` like a pipeline step's.
    """
    if isinstance(rules, Mapping):
        missing = sorted(c for c in rules if c not in df.columns)
        if missing:
            raise ValidationError(
                f"rules name columns the DataFrame lacks: {', '.join(missing)}; "
                f"available: {', '.join(df.columns)}",
                suggestions=("fix the column names in the rules",),
            )
    predicate = and_all_rules(rules)  # raises for None and malformed items before any job
    if not rules:
        return True
    row = df.agg(F.bool_and(predicate).alias("ok")).first()
    # bool_and over no rows is NULL: an empty DataFrame has no invalid row.
    return row is None or row["ok"] is None or bool(row["ok"])


def get_dataframe_stats(df: DataFrame) -> dict[str, Any]:
    """row_count, column_count, columns, dtypes, null_counts and null_percentages per column,
    from one aggregate query (one pass over the data)."""
    names = df.columns
    aggregates = [F.count(F.lit(1)).alias("__rows")] + [
        F.count_if(_col(name).isNull()).alias(f"__nulls_{i}") for i, name in enumerate(names)
    ]
    row = df.agg(*aggregates).first()
    assert row is not None  # a global aggregate always returns one row
    total = int(row["__rows"])
    nulls = {name: int(row[f"__nulls_{i}"]) for i, name in enumerate(names)}
    return {
        "row_count": total,
        "column_count": len(names),
        "columns": list(names),
        "dtypes": {f.name: f.dataType.simpleString() for f in df.schema.fields},
        "null_counts": nulls,
        "null_percentages": {n: (c * 100.0 / total if total else 0.0) for n, c in nulls.items()},
    }
