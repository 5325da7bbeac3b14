"""PipelineRunner on real Spark and Delta: every mode, incremental runs, failures, the run log."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F
from sparkforge.models import StepStatus
from sparkforge_runtime.runlog import LOG_COLUMNS

from tests.support import shop


def sources(spark, ids=range(20), bad=frozenset()):  # type: ignore[no-untyped-def]
    return {"orders": shop.orders_df(spark, ids, bad), "customers": shop.customers_df(spark)}


def count(spark, schema, table):  # type: ignore[no-untyped-def]
    return spark.table(f"{schema}.{table}").count()


def test_initial_load_writes_every_table(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    result = runner.initial_load(bronze_sources=sources(spark, bad={3, 4}))
    assert result.success, result.error_message
    assert count(spark, schema, "clean_orders") == 18
    assert count(spark, schema, "clean_customers") == 5
    assert count(spark, schema, "orders_by_country") == 18
    assert spark.table(f"{schema}.revenue").first()["n"] == 18
    assert count(spark, schema, "country_revenue") == 3
    orders = result.step_results["orders"]
    assert (orders.validation_result.total_rows, orders.validation_result.valid_rows) == (20, 20)
    clean = result.step_results["clean_orders"]
    assert clean.validation_result.invalid_rows == 2 and clean.rows_written == 18
    assert result.totals["failed_steps"] == 0 and result.metrics.total_duration > 0
    # filter_columns_by_rules keeps only rule columns (amount_cents has no rule)
    assert spark.table(f"{schema}.clean_orders").columns == ["order_id", "customer_id", "amount", "ts"]


def test_incremental_appends_only_new_rows(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    assert runner.initial_load(bronze_sources=sources(spark, range(10))).success
    result = runner.run_incremental(bronze_sources=sources(spark, range(15)))
    assert result.success, result.error_message
    assert result.step_results["orders"].validation_result.total_rows == 5
    assert result.step_results["clean_orders"].write_mode == "append"
    assert result.step_results["clean_customers"].write_mode == "overwrite"
    assert result.step_results["orders_by_country"].write_mode == "append"
    assert count(spark, schema, "clean_orders") == 15
    assert count(spark, schema, "orders_by_country") == 15
    assert count(spark, schema, "clean_customers") == 5
    assert spark.table(f"{schema}.revenue").first()["n"] == 15
    again = runner.run_incremental(bronze_sources=sources(spark, range(15)))
    assert again.success, again.error_message
    assert again.step_results["clean_orders"].rows_written == 0
    assert again.step_results["orders"].validation_result.total_rows == 0
    assert count(spark, schema, "clean_orders") == 15
    assert spark.table(f"{schema}.revenue").first()["n"] == 15
    logs = spark.table(f"{schema}.pipeline_logs").filter(F.col("run_id") == again.run_id)
    zeros = {r["step_name"]: (r["input_rows"], r["rows_written"]) for r in logs.collect()}
    assert zeros["orders"] == (0, 0)
    assert zeros["clean_orders"] == (0, 0) and zeros["orders_by_country"] == (0, 0)


def test_full_refresh_and_validation_only(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    assert runner.initial_load(bronze_sources=sources(spark, range(10))).success
    check = runner.run_validation_only(bronze_sources=sources(spark, range(30)))
    assert check.success and check.step_results["clean_orders"].rows_written == 0
    assert check.step_results["revenue"].validation_result.total_rows == 1
    assert count(spark, schema, "clean_orders") == 10
    result = runner.run_full_refresh(bronze_sources=sources(spark, range(12)))
    assert result.success
    assert result.step_results["clean_orders"].write_mode == "overwrite"
    assert count(spark, schema, "clean_orders") == 12


def test_threshold_failure_cancels_dependents_and_keeps_table(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema, min_silver_rate=90.0).to_pipeline()
    assert runner.initial_load(bronze_sources=sources(spark, range(10))).success
    before = spark.table(f"{schema}.clean_orders").collect()
    history = spark.sql(f"DESCRIBE HISTORY {schema}.clean_orders").count()
    result = runner.initial_load(bronze_sources=sources(spark, range(10), bad={1, 2, 3}))
    assert not result.success
    assert result.failed_steps == ["clean_orders"]
    assert "[silver:clean_orders] validation 70.00% below required 90.00%" in result.error_message
    statuses = {n: r.status for n, r in result.step_results.items()}
    assert statuses["orders_by_country"] is StepStatus.CANCELLED
    assert statuses["revenue"] is StepStatus.CANCELLED
    assert statuses["country_revenue"] is StepStatus.CANCELLED
    assert statuses["clean_customers"] is StepStatus.COMPLETED
    assert sorted(spark.table(f"{schema}.clean_orders").collect()) == sorted(before)
    assert spark.sql(f"DESCRIBE HISTORY {schema}.clean_orders").count() == history


def test_transform_errors_name_the_step(spark, schema):  # type: ignore[no-untyped-def]
    def boom(spark, df, prior):  # type: ignore[no-untyped-def]
        raise RuntimeError("bad join key")

    def not_df(spark, df, prior):  # type: ignore[no-untyped-def]
        return 42

    builder = (
        shop.build(spark, schema)
        .add_silver_transform(name="explodes", source_bronze="orders", transform=boom,
                              rules={"order_id": ["not_null"]}, table_name="explodes")
        .add_silver_transform(name="returns_int", source_bronze="orders", transform=not_df,
                              rules={"order_id": ["not_null"]}, table_name="returns_int")
    )
    result = builder.to_pipeline().initial_load(bronze_sources=sources(spark))
    assert set(result.failed_steps) == {"explodes", "returns_int"}
    assert "step 'explodes' (silver)" in result.step_results["explodes"].error_message
    assert "RuntimeError: bad join key" in result.step_results["explodes"].error_message
    # The line of the user's code that raised, in the user's own file.
    assert "test_runner.py:97: step 'explodes' (silver): RuntimeError: bad join key" in (
        result.step_results["explodes"].error_message
    )
    assert "must return a DataFrame, got int" in result.step_results["returns_int"].error_message
    assert result.step_results["revenue"].status is StepStatus.COMPLETED


def test_missing_source_and_missing_rule_column(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    result = runner.initial_load(bronze_sources={"customers": shop.customers_df(spark)})
    assert "orders" in result.failed_steps
    message = result.step_results["orders"].error_message
    assert f"{schema}.orders" in message and "does not exist" in message
    bad = spark.createDataFrame([(1, 1)], "order_id int, customer_id int")
    result = runner.initial_load(bronze_sources={"orders": bad, "customers": shop.customers_df(spark)})
    message = result.step_results["orders"].error_message
    assert "lacks" in message and "'ts'" in message and "available columns" in message
    assert not spark.catalog.tableExists(f"{schema}.clean_orders")


def test_append_with_wrong_schema_leaves_table(spark, schema):  # type: ignore[no-untyped-def]
    def changed(spark, df, prior):  # type: ignore[no-untyped-def]
        return df.withColumn("channel", F.lit("web"))

    runner = shop.build(spark, schema).to_pipeline()
    assert runner.initial_load(bronze_sources=sources(spark, range(5))).success
    before = sorted(spark.table(f"{schema}.clean_orders").collect())
    builder2 = shop.PipelineBuilder(spark=spark, schema=schema, min_silver_rate=0.0, verbose=False,
                                    filter_columns_by_rules=False)
    builder2.with_bronze_rules(name="orders", rules={"ts": ["not_null"]}, incremental_col="ts")
    builder2.add_silver_transform(name="clean_orders", transform=changed, rules={"order_id": ["not_null"]},
                                  table_name="clean_orders", watermark_col="ts")
    result = builder2.to_pipeline().run_incremental(bronze_sources={"orders": shop.orders_df(spark, range(8))})
    assert not result.success
    message = result.step_results["clean_orders"].error_message
    assert "clean_orders" in message and "unchanged" in message and "full-refresh" in message
    assert sorted(spark.table(f"{schema}.clean_orders").collect()) == before


def test_log_rows_per_run(spark, schema):  # type: ignore[no-untyped-def]
    runner = shop.build(spark, schema).to_pipeline()
    first = runner.initial_load(bronze_sources=sources(spark, range(10)))
    runner.run_incremental(bronze_sources=sources(spark, range(12)))
    logs = spark.table(f"{schema}.pipeline_logs")
    assert tuple(logs.columns) == LOG_COLUMNS
    assert logs.count() == 14
    assert logs.select("run_id").distinct().count() == 2
    rows = logs.filter(F.col("run_id") == first.run_id).collect()
    assert len(rows) == 7
    required = [c for c in LOG_COLUMNS if c not in {"previous_watermark", "new_watermark", "error_type",
                                                    "error_message", "write_mode", "source_hash",
                                                    "note", "groups_refreshed"}]
    for row in rows:
        assert all(row[c] is not None for c in required), row
        assert row["engine"] == "interpreted" and row["status"] == "completed"
    inc = logs.filter((F.col("run_mode") == "incremental") & (F.col("step_name") == "clean_orders")).first()
    assert inc["rows_written"] == 2 and inc["write_mode"] == "append"
    assert inc["previous_watermark"] is not None and inc["new_watermark"] > inc["previous_watermark"]


@pytest.mark.parametrize("parallel", [True, False])
def test_parallel_silvers_overlap_only_when_enabled(spark, schema, parallel):  # type: ignore[no-untyped-def]
    import time

    def slow(spark, df, prior):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        return df

    builder = shop.PipelineBuilder(spark=spark, schema=schema, enable_parallel_silver=parallel,
                                   max_parallel_workers=4, min_silver_rate=0.0, verbose=False)
    builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
    builder.add_silver_transform(name="a", source_bronze="orders", transform=slow, rules={"order_id": []}, table_name="a")
    builder.add_silver_transform(name="b", source_bronze="orders", transform=slow, rules={"order_id": []}, table_name="b")
    result = builder.to_pipeline().initial_load(bronze_sources={"orders": shop.orders_df(spark, range(4))})
    a, b = result.step_results["a"], result.step_results["b"]
    overlap = a.start_time < b.end_time and b.start_time < a.end_time
    assert overlap is parallel


def test_validated_step_launches_only_gate_and_write_jobs(spark, schema):  # type: ignore[no-untyped-def]
    """A silver step runs one gate job plus exactly the jobs of writing the same rows from memory."""
    runner = shop.build(spark, schema).to_pipeline()
    tracker = spark.sparkContext.statusTracker()
    earlier = set(tracker.getJobIdsForGroup("sparkforge:clean_orders"))
    assert runner.initial_load(bronze_sources=sources(spark, range(10))).success
    step_jobs = len(set(tracker.getJobIdsForGroup("sparkforge:clean_orders")) - earlier)
    floor = spark.table(f"{schema}.clean_orders").persist()
    floor.write.format("noop").mode("overwrite").save()
    spark.sparkContext.setJobGroup(f"plain-write-{schema}", "floor")
    floor.write.format("delta").mode("overwrite").saveAsTable(f"{schema}.floor")
    plain_jobs = len(tracker.getJobIdsForGroup(f"plain-write-{schema}"))
    spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    assert step_jobs == plain_jobs + 1


def test_unified_execution_starts_gold_before_unrelated_slow_silver_ends(spark, schema):  # type: ignore[no-untyped-def]
    import time

    def slow(spark, df, prior):  # type: ignore[no-untyped-def]
        time.sleep(4.0)
        return df

    builder = shop.build(spark, schema)
    builder.add_silver_transform(name="slow_silver", source_bronze="customers", transform=slow,
                                 rules={"customer_id": []}, table_name="slow_silver")
    builder.enable_unified_execution(max_workers=4)
    result = builder.to_pipeline().run_unified(bronze_sources=sources(spark, range(10)))
    assert result.success, result.error_message
    gold = result.step_results["revenue"]
    assert gold.start_time < result.step_results["slow_silver"].end_time
    assert result.max_concurrency >= 2


def test_crash_inside_a_write_loses_nothing_and_a_rerun_recovers(spark, schema):  # type: ignore[no-untyped-def]
    """Tasks of the write itself fail (a Delta CHECK constraint): no commit, then a clean re-run."""
    runner = shop.build(spark, schema).to_pipeline()
    assert runner.initial_load(bronze_sources=sources(spark, range(10))).success
    spark.sql(f"ALTER TABLE {schema}.clean_orders ADD CONSTRAINT small CHECK (amount < 15)")
    before = sorted(spark.table(f"{schema}.clean_orders").collect())
    versions = spark.sql(f"DESCRIBE HISTORY {schema}.clean_orders").count()
    result = runner.run_incremental(bronze_sources=sources(spark, range(20)))
    assert not result.success
    message = result.step_results["clean_orders"].error_message
    assert "clean_orders" in message and "unchanged" in message
    assert result.step_results["orders_by_country"].status is StepStatus.CANCELLED
    assert sorted(spark.table(f"{schema}.clean_orders").collect()) == before
    assert spark.sql(f"DESCRIBE HISTORY {schema}.clean_orders").count() == versions
    spark.sql(f"ALTER TABLE {schema}.clean_orders DROP CONSTRAINT small")
    again = runner.run_incremental(bronze_sources=sources(spark, range(20)))
    assert again.success, again.error_message
    assert count(spark, schema, "clean_orders") == 20
    assert count(spark, schema, "orders_by_country") == 20
