"""Table schemas written as text: the log tables (run log, rules log, runs table) declare theirs so.

Input: `name type` pairs, `!` marking NOT NULL. Output: a `StructType`.

    schema("run_id string!, note string")  ->  StructType([run_id string NOT NULL, note string])
"""

from __future__ import annotations

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

_TYPES = {t.typeName(): t for t in (StringType(), LongType(), IntegerType(), DoubleType(),
                                     BooleanType(), TimestampType())}  # fmt: skip


def schema(spec: str) -> StructType:
    """A StructType from `name type` pairs, `!` marking NOT NULL: `"run_id string!, note string"`."""
    fields = [f.split() for f in spec.split(",")]
    return StructType([StructField(n, _TYPES[t.rstrip("!")], not t.endswith("!")) for n, t in fields])
