"""The rest of the runner's surface: single steps, step info, table formats, merge, logging classes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pyspark.sql import functions as F
from sparkforge import PIPELINE_LOG_SCHEMA, LogWriter, PipelineBuilder
from sparkforge.exceptions import StepError
from sparkforge.logger import PipelineLogger
from sparkforge.models import StepStatus

from tests.support import shop


def test_runtime_import_loads_no_compiler_dependencies() -> None:
    code = (
        "import sys, sparkforge_runtime, sparkforge_runtime.job, sparkforge_runtime.scheduler;"
        "bad = [m for m in ('libcst', 'black', 'click', 'sparkforge') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_single_steps_and_executor_state(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    executor = runner.create_step_executor()
    with pytest.raises(StepError, match="execute_bronze_step"):
        runner.execute_silver_step("clean_orders")
    bronze = runner.execute_bronze_step("orders", input_data=shop.orders_df(spark, range(6), {2}))
    assert bronze.status is StepStatus.COMPLETED and bronze.output_count == 6
    silver = runner.execute_silver_step("clean_orders")
    assert silver.rows_written == 5 and spark.table(f"{schema}.clean_orders").count() == 5
    gold = runner.execute_gold_step("revenue")
    assert gold.status is StepStatus.COMPLETED
    assert spark.table(f"{schema}.revenue").first()["n"] == 5
    assert executor.get_step_output("clean_orders").count() == 5
    assert set(executor.list_completed_steps()) == {"orders", "clean_orders", "revenue"}
    assert executor.list_failed_steps() == []
    executor.clear_execution_state()
    with pytest.raises(StepError, match="no output yet"):
        executor.get_step_output("clean_orders")
    with pytest.raises(StepError, match="is a silver step"):
        runner.execute_gold_step("clean_orders")


def test_force_input_reads_default_bronze_table(spark, schema):  # type: ignore[no-untyped-def]
    shop.orders_df(spark, range(4)).write.format("delta").saveAsTable(f"{schema}.orders")
    runner = shop.build(spark, schema).to_pipeline()
    result = runner.execute_silver_step("clean_orders", force_input=True)
    assert result.rows_written == 4


def test_step_info_and_listing(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    assert runner.list_steps() == {
        "bronze": ["orders", "customers"],
        "silver": ["clean_orders", "clean_customers", "orders_by_country"],
        "gold": ["revenue", "country_revenue"],
    }
    info = runner.get_step_info("orders_by_country")
    assert info["type"] == "silver" and info["table"] == f"{schema}.orders_by_country"
    assert info["upstream"] == ["orders", "clean_orders", "clean_customers"]
    assert info["stage"] > runner.get_step_info("clean_orders")["stage"]
    assert info["rules"]["order_id"] == ["order_id:not_null"]


def test_parquet_tables_and_merge_upserts(spark, schema):  # type: ignore[no-untyped-def]
    def latest(spark, df, prior):  # type: ignore[no-untyped-def]
        return df.select("customer_id", "country", "v")

    builder = PipelineBuilder(spark=spark, schema=schema, verbose=False, min_silver_rate=0.0)
    builder.with_bronze_rules(name="customers", rules={"customer_id": ["not_null"], "country": [], "v": []},
                              incremental_col="v")
    builder.add_silver_transform(name="dim", transform=latest, rules={"customer_id": ["not_null"], "country": []},
                                 table_name="dim", watermark_col="v", write_mode="merge",
                                 merge_keys=["customer_id"], filter_columns_by_rules=False)
    runner = builder.to_pipeline()
    first = spark.createDataFrame([(1, "US", 1), (2, "DE", 1)], "customer_id int, country string, v int")
    assert runner.initial_load(bronze_sources={"customers": first}).success
    update = spark.createDataFrame([(1, "US", 1), (2, "DE", 1), (2, "FR", 2), (3, "JP", 2)],
                                   "customer_id int, country string, v int")
    result = runner.run_incremental(bronze_sources={"customers": update.withColumn("v", F.col("v"))})
    assert result.success, result.error_message
    assert result.step_results["dim"].write_mode == "merge"
    rows = {r["customer_id"]: r["country"] for r in spark.table(f"{schema}.dim").collect()}
    assert rows == {1: "US", 2: "FR", 3: "JP"}

    pq = PipelineBuilder(spark=spark, schema=schema, verbose=False, table_format="parquet")
    pq.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
    pq.add_silver_transform(name="pq_orders", transform=lambda s, df, p: df, rules={"order_id": []},
                            table_name="pq_orders")
    assert pq.to_pipeline().initial_load(bronze_sources={"orders": shop.orders_df(spark, range(3))}).success
    detail = spark.sql(f"DESCRIBE TABLE EXTENDED {schema}.pq_orders").collect()
    assert any(r["col_name"] == "Provider" and r["data_type"] == "parquet" for r in detail)


def test_log_writer_and_pipeline_logger(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    result = runner.initial_load(bronze_sources={"orders": shop.orders_df(spark, range(3)),
                                                 "customers": shop.customers_df(spark)})
    writer = LogWriter(spark, table_name=f"{schema}.extra_logs", use_delta=True)
    assert writer.log_pipeline_execution(result, pipeline_name="shop") == 7
    assert writer.log_step_execution(result.step_results["clean_orders"], run_id=result.run_id) == 1
    logs = spark.table(f"{schema}.extra_logs")
    assert [(f.name, f.dataType) for f in logs.schema] == [
        (f.name, f.dataType) for f in PIPELINE_LOG_SCHEMA
    ]
    assert logs.filter(F.col("run_id") == result.run_id).count() == 8
    row = logs.filter(F.col("step_name") == "clean_orders").first()
    assert row["rows_written"] == 3 and row["validation_passed"] is True
    logger = PipelineLogger(spark, f"{schema}.more_logs")
    assert logger.log_result(result, pipeline_name="shop") == 7
    with pytest.raises(Exception, match="table name"):
        LogWriter(spark, table_name="bad name; drop")


def test_reads_and_writes_across_three_schemas(spark, make_schema):  # type: ignore[no-untyped-def]
    raw, work, mart = make_schema("raw"), make_schema("work"), make_schema("mart")
    shop.orders_df(spark, range(5)).write.format("delta").saveAsTable(f"{raw}.orders")
    builder = PipelineBuilder(spark=spark, schema=work, verbose=False)
    builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"], "amount": []}, schema=raw)
    builder.add_silver_transform(name="clean", transform=lambda s, df, p: df, rules={"order_id": [], "amount": []},
                                 table_name="clean")
    builder.add_gold_transform(name="total", transform=lambda s, silvers: silvers["clean"].agg(F.sum("amount").alias("t")),
                               rules={"t": ["positive"]}, table_name="total", schema=mart)
    result = builder.to_pipeline().initial_load()
    assert result.success, result.error_message
    assert spark.table(f"{work}.clean").count() == 5
    assert spark.table(f"{mart}.total").first()["t"] == 15.0
    assert spark.table(f"{work}.pipeline_logs").count() == 3
