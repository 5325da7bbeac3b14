"""Guards against silent wipes (empty input in a replacing run) and silent retyping."""

from __future__ import annotations

import pytest
from pyspark.sql.types import IntegerType, StringType, StructField, StructType
from sparkforge_runtime.guards import (
    empty_input_problem,
    nonempty_tables,
    table_type_change,
    type_change_problem,
)

OLD = StructType([StructField("order_id", StringType()), StructField("quantity", IntegerType())])


def test_type_change_names_column_new_and_old_type() -> None:
    new = StructType(
        [StructField("order_id", StringType(), False), StructField("Quantity", StringType())]
    )
    assert type_change_problem(new, OLD, "shop.clean_orders") == (
        "column 'Quantity' is string in the new rows but int in shop.clean_orders; cast it to int "
        "in the transform (F.col('Quantity').cast('int')), or turn on the step's schema evolution "
        "to change the table's type"
    )


def test_same_types_extra_and_missing_columns_are_no_type_change() -> None:
    same = StructType([StructField("quantity", IntegerType(), False)])  # nullability differs
    extra = StructType([*OLD.fields, StructField("note", StringType())])
    assert type_change_problem(same, OLD, "t") is None
    assert type_change_problem(extra, OLD, "t") is None


def test_type_change_against_a_real_table(spark, schema: str) -> None:  # type: ignore[no-untyped-def]
    table = f"{schema}.clean_orders"
    new_rows = spark.createDataFrame([("o1", "3")], "order_id string, quantity string")
    assert table_type_change(spark, new_rows, table) is None  # no table yet
    spark.createDataFrame([("o0", 1)], OLD).write.format("delta").saveAsTable(table)
    message = table_type_change(spark, new_rows, table)
    assert message is not None
    assert message.startswith(f"column 'quantity' is string in the new rows but int in {table}; ")
    nested_old = spark.createDataFrame([((1,),)], "s struct<a:int>")
    nested_old.write.format("delta").saveAsTable(f"{schema}.nested")
    nested_new = spark.createDataFrame([((1,),)], "s struct<a:bigint>")
    assert "is struct<a:bigint> in the new rows but struct<a:int>" in (
        table_type_change(spark, nested_new, f"{schema}.nested") or ""
    )


@pytest.mark.parametrize("mode", ["initial", "full_refresh", "full-refresh"])
def test_empty_input_refuses_to_replace_nonempty_tables(mode: str) -> None:
    message = empty_input_problem(
        "orders", mode, 0, ["shop.daily_revenue", "shop.clean_orders"], allow_empty=False
    )
    run = "an initial" if mode == "initial" else "a full-refresh"
    assert message == (
        f"bronze step 'orders' read no rows in {run} run; refusing to replace the non-empty tables "
        "shop.clean_orders, shop.daily_revenue with empty ones (is the input empty or truncated?); "
        "check the source, or pass --allow-empty (allow_empty=True) to empty them"
    )


def test_empty_input_is_fine_otherwise() -> None:
    tables = ["shop.clean_orders"]
    assert empty_input_problem("orders", "initial", 0, tables, allow_empty=True) is None
    assert empty_input_problem("orders", "initial", 5, tables, allow_empty=False) is None
    assert empty_input_problem("orders", "initial", 0, [], allow_empty=False) is None
    assert empty_input_problem("orders", "incremental", 0, tables, allow_empty=False) is None


def test_nonempty_tables(spark, schema: str) -> None:  # type: ignore[no-untyped-def]
    full, empty, missing = f"{schema}.full", f"{schema}.empty", f"{schema}.missing"
    spark.createDataFrame([(1,)], "id int").write.format("delta").saveAsTable(full)
    spark.createDataFrame([], "id int").write.format("delta").saveAsTable(empty)
    assert nonempty_tables(spark, [full, empty, missing]) == [full]
