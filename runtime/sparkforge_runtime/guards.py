"""Guards before a write that would silently lose data: an empty replacement, a changed column type.

Input: the rows about to be written, the target table, the write mode. Output: nothing, or a
`GuardError` that names the table, the column or the input and the option that allows it. Both
checks look at the table only when it exists, and the empty check runs a job only when the new
rows are empty.

    check_types(df, "shop.orders")  ->  GuardError("column 'quantity' is string in the new rows but int ...")
"""

from __future__ import annotations

from pyspark.sql import DataFrame

from sparkforge_runtime.errors import RuntimeStepError
from sparkforge_runtime.tables import table_exists


class GuardError(RuntimeStepError):
    """A write was refused before it started; the table is unchanged."""


def check_not_emptied(df: DataFrame, table: str, rows: int, *, step: str) -> None:
    """Refuse to replace a table that has rows with none (an empty or truncated landing folder)."""
    spark = df.sparkSession
    if rows or not table_exists(spark, table) or spark.table(table).limit(1).count() == 0:
        return
    raise GuardError(
        f"step {step!r} read no rows, so replacing {table} would empty it; the table is unchanged. "
        f"Check the input, or pass --allow-empty (allow_empty=True) to replace it with no rows"
    )


def check_types(df: DataFrame, table: str, *, step: str) -> None:
    """Refuse to change the type of a column the table already has (e.g. int -> string)."""
    spark = df.sparkSession
    if not table_exists(spark, table):
        return
    old = {f.name: f.dataType for f in spark.table(table).schema.fields}
    for field in df.schema.fields:
        before = old.get(field.name)
        if before is not None and before != field.dataType:
            raise GuardError(
                f"step {step!r}: column {field.name!r} is {field.dataType.simpleString()} in the new "
                f"rows but {before.simpleString()} in {table}; the table is unchanged. Cast it back "
                "in the transform, or let the step change its table's schema (schema_evolution=True "
                "on the step: Delta replaces the schema on overwrite and adds new columns on append)"
            )
