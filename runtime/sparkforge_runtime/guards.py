"""Guards against silent wipes and silent retyping, as plain decisions the engine asks before writing.

Input: schemas, row counts, the run mode. Output: None when the write may go ahead, else one line
that names what is wrong and how to proceed:

    type_change_problem(new_rows.schema, spark.table("shop.clean_orders").schema, "shop.clean_orders")
    -> "column 'quantity' is string in the new rows but int in shop.clean_orders; ..."
    empty_input_problem("orders", "initial", 0, ["shop.clean_orders"], allow_empty=False)
    -> "bronze step 'orders' read no rows in an initial run; refusing to replace ..."

A Delta overwrite replaces the schema (`overwriteSchema`) and an empty overwrite empties the table,
both with exit 0: these guards make those outcomes a decision, never an accident.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from sparkforge_runtime.tables import table_exists

REPLACING_MODES = ("initial", "full_refresh")


def type_change_problem(new: StructType, existing: StructType, table: str) -> str | None:
    """The first column of `new` (in its order) whose type differs from the same column of
    `existing` (names compared case-insensitively, nullability ignored), as one line; or None.

    Columns only one side has are not type changes and are left to the write.
    """
    old_types = {f.name.lower(): f.dataType for f in existing.fields}
    for field in new.fields:
        old = old_types.get(field.name.lower())
        if old is None or old.simpleString() == field.dataType.simpleString():
            continue
        new_type, old_type = field.dataType.simpleString(), old.simpleString()
        return (
            f"column {field.name!r} is {new_type} in the new rows but {old_type} in {table}; "
            f"cast it to {old_type} in the transform (F.col({field.name!r}).cast({old_type!r})), "
            "or turn on the step's schema evolution to change the table's type"
        )
    return None


def table_type_change(spark: SparkSession, df: DataFrame, table: str) -> str | None:
    """`type_change_problem` of `df` against `table`; None when the table does not exist yet.
    Reads the table's schema from the catalog and Delta log only (no Spark job)."""
    if not table_exists(spark, table):
        return None
    return type_change_problem(df.schema, spark.table(table).schema, table)


def empty_input_problem(
    step: str, mode: str, input_rows: int, nonempty: Sequence[str], *, allow_empty: bool
) -> str | None:
    """Refuse an initial or full-refresh run whose bronze step read nothing while the tables it
    would overwrite hold rows (an empty or truncated landing folder), unless `allow_empty`."""
    mode = mode.replace("-", "_")
    if allow_empty or input_rows > 0 or mode not in REPLACING_MODES or not nonempty:
        return None
    run = "an initial" if mode == "initial" else "a full-refresh"
    tables = ", ".join(sorted(nonempty))
    return (
        f"bronze step {step!r} read no rows in {run} run; refusing to replace the non-empty "
        f"tables {tables} with empty ones (is the input empty or truncated?); check the source, "
        "or pass --allow-empty (allow_empty=True) to empty them"
    )


def nonempty_tables(spark: SparkSession, tables: Sequence[str]) -> list[str]:
    """The tables of `tables` that exist and hold at least one row (one `LIMIT 1` job each)."""
    return [t for t in tables if table_exists(spark, t) and not spark.table(t).isEmpty()]
