"""PipelineBuilder: constructor, presets, rule helpers, recorded steps, inference, build."""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, LongType, StringType, StructField, StructType, TimestampType
from sparkforge import graph
from sparkforge.builder import PipelineBuilder
from sparkforge.ir import Layer, Pipeline, RuleKind, WriteMode
from sparkforge.models import ParallelConfig, ValidationThresholds


def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict[str, DataFrame]) -> DataFrame:
    return bronze_df.filter(F.col("id").isNotNull())


def summary(spark: SparkSession, silvers: dict[str, DataFrame]) -> DataFrame:
    return silvers["clean"].groupBy("id").count()


def test_constructor_defaults(spark: SparkSession, schema: str) -> None:
    b = PipelineBuilder(spark=spark, schema=schema)
    s = b.settings
    assert (s.min_bronze_rate, s.min_silver_rate, s.min_gold_rate) == (95.0, 98.0, 99.0)
    assert (s.enable_parallel_silver, s.max_parallel_workers, s.verbose) == (True, 4, True)
    assert (s.table_format, s.filter_columns_by_rules, s.log_table) == ("delta", True, None)
    assert (s.unified_execution, s.pipeline_name) == (False, "pipeline")
    assert b.schema == schema and b.spark is spark and b.verbose
    assert b.thresholds == ValidationThresholds(95.0, 98.0, 99.0)
    assert b.parallel_config == ParallelConfig(4, True, False)


def test_constructor_options(spark: SparkSession, schema: str) -> None:
    b = PipelineBuilder(spark, schema, 90, 91.5, 100, False, 3, False, table_format="PARQUET",
                        filter_columns_by_rules=False, pipeline_name="shop",
                        log_table=f"{schema}.runs")
    s = b.settings
    assert (s.min_bronze_rate, s.min_silver_rate, s.min_gold_rate) == (90.0, 91.5, 100.0)
    assert (s.enable_parallel_silver, s.max_parallel_workers, s.verbose) == (False, 3, False)
    assert (s.table_format, s.filter_columns_by_rules) == ("parquet", False)
    assert (s.pipeline_name, s.log_table) == ("shop", f"{schema}.runs")


PRESETS = {
    "for_development": (80.0, 85.0, 90.0, True, True, 2),
    "for_production": (95.0, 98.0, 99.0, False, True, 8),
    "for_testing": (70.0, 75.0, 80.0, True, False, 1),
}


@pytest.mark.parametrize("preset", list(PRESETS))
def test_presets(spark: SparkSession, schema: str, preset: str) -> None:
    b = getattr(PipelineBuilder, preset)(spark=spark, schema=schema)
    s = b.settings
    got = (s.min_bronze_rate, s.min_silver_rate, s.min_gold_rate, s.verbose,
           s.enable_parallel_silver, s.max_parallel_workers)
    assert got == PRESETS[preset]
    assert isinstance(b, PipelineBuilder) and b.schema == schema
    custom = getattr(PipelineBuilder, preset)(spark, schema, min_silver_rate=50.0,
                                              max_parallel_workers=5, table_format="parquet")
    assert custom.settings.min_silver_rate == 50.0
    assert custom.settings.max_parallel_workers == 5
    assert custom.settings.table_format == "parquet"
    assert custom.settings.min_bronze_rate == PRESETS[preset][0]


def test_rule_helpers_are_data() -> None:
    assert PipelineBuilder.not_null_rules(["id", "ts"]) == {"id": ["not_null"], "ts": ["not_null"]}
    assert PipelineBuilder.positive_number_rules(["amount"]) == {"amount": ["positive"]}
    assert PipelineBuilder.string_not_empty_rules(["name"]) == {"name": ["not_empty"]}
    assert PipelineBuilder.timestamp_rules(["created_at"]) == {"created_at": ["not_null"]}
    assert PipelineBuilder.not_null_rules("id") == {"id": ["not_null"]}  # one name, not letters
    assert PipelineBuilder.not_null_rules([]) == {}


def test_rule_helpers_validate_rows(spark: SparkSession) -> None:
    from sparkforge.validation import apply_column_rules

    df = spark.createDataFrame(
        [(1, 2.0, "a", "2024-01-01"), (None, 0.0, "", None), (3, -1.0, None, "2024-01-02")],
        "id int, amount double, name string, created_at string",
    )
    rules = {
        **PipelineBuilder.not_null_rules(["id"]),
        **PipelineBuilder.positive_number_rules(["amount"]),
        **PipelineBuilder.string_not_empty_rules(["name"]),
        **PipelineBuilder.timestamp_rules(["created_at"]),
    }
    _, _, stats = apply_column_rules(df, rules, "bronze", "b")
    assert (stats.valid_rows, stats.invalid_rows) == (1, 2)


def test_detect_timestamp_columns() -> None:
    names = ["id", "products", "created_at", "updatedAt", "event_ts", "ts", "order_date",
             "eventTime", "timestamp", "last_updated", "created_by", "status", "attempts",
             "datetime_utc", "dates_count", "stats"]
    assert PipelineBuilder.detect_timestamp_columns(names) == [
        "created_at", "updatedAt", "event_ts", "ts", "order_date", "eventTime", "timestamp",
        "last_updated", "datetime_utc",
    ]
    schema = StructType([
        StructField("products", StringType()),
        StructField("loaded", TimestampType()),
        StructField("birthday", DateType()),
        StructField("modified", LongType()),
        StructField("count", LongType()),
    ])
    assert PipelineBuilder.detect_timestamp_columns(schema) == ["loaded", "birthday", "modified"]


def _pipeline(spark: SparkSession, schema: str) -> PipelineBuilder:
    return (
        PipelineBuilder(spark=spark, schema=schema, verbose=False)
        .with_bronze_rules(name="events", rules={"id": ["not_null"]}, incremental_col="ts",
                           description="raw events")
        .with_bronze_rules(name="users", rules={"uid": [F.col("uid").isNotNull()]})
        .add_silver_transform(name="clean", transform=clean, rules={"id": ["not_null"]},
                              table_name="clean", source_bronze="events", watermark_col="ts")
        .add_silver_transform(name="profiles", transform=lambda s, df, p: df,
                              rules={"uid": ["not_null"]}, table_name="profiles")
        .add_gold_transform(name="summary", transform=summary, rules={"id": ["not_null"]},
                            table_name="summary")
    )


def test_steps_are_recorded_as_frozen_data(spark: SparkSession, schema: str) -> None:
    b = _pipeline(spark, schema)
    pipeline = b.build()
    assert isinstance(pipeline, Pipeline)
    assert pipeline.names() == ("events", "users", "clean", "profiles", "summary")
    events = pipeline.step("events")
    assert (events.layer, events.incremental_col, events.description) == (
        Layer.BRONZE, "ts", "raw events"
    )
    assert events.rules[0].kind is RuleKind.SHORTHAND and events.rules[0].label == "id:not_null"
    users = pipeline.step("users")
    assert users.rules[0].kind is RuleKind.EXPR and users.rules[0].column_obj is not None
    silver = pipeline.step("clean")
    assert silver.transform is not None and silver.transform.func is clean
    assert silver.transform.name == "clean"
    assert (silver.table_name, silver.watermark_col, silver.schema) == ("clean", "ts", None)
    assert pipeline.step("profiles").transform.name == "<lambda>"  # type: ignore[union-attr]
    assert list(b.bronze_steps) == ["events", "users"]
    assert list(b.silver_steps) == ["clean", "profiles"]
    assert list(b.gold_steps) == ["summary"]
    with pytest.raises(AttributeError):
        silver.name = "other"  # type: ignore[misc]


def test_auto_inference(spark: SparkSession, schema: str) -> None:
    pipeline = _pipeline(spark, schema).build()
    # silver without source_bronze: the most recently added bronze step
    assert pipeline.step("profiles").source_bronze == "users"
    assert pipeline.step("clean").source_bronze == "events"
    # gold without source_silvers: every silver step added so far
    assert pipeline.step("summary").source_silvers == ("clean", "profiles")


def test_depends_on_source_silvers_and_forward_references(spark: SparkSession, schema: str) -> None:
    b = _pipeline(spark, schema)
    b.add_silver_transform(name="joined", transform=clean, rules={}, table_name="joined",
                           depends_on=["late"], source_silvers="clean")
    b.add_silver_transform(name="late", transform=clean, rules={}, table_name="late")
    b.add_gold_transform(name="report", transform=summary, rules={}, table_name="report",
                         source_silvers=["joined", "clean"])
    pipeline = b.build()
    joined = pipeline.step("joined")
    assert (joined.source_bronze, joined.source_silvers, joined.depends_on) == (
        "users", ("clean",), ("late",)
    )
    assert pipeline.step("report").source_silvers == ("joined", "clean")
    assert graph.plan_stages(pipeline).stages == (
        ("events", "users"), ("clean", "late", "profiles"), ("joined",), ("report", "summary")
    )


def test_silver_from_silvers_only_when_no_bronze(spark: SparkSession, schema: str) -> None:
    b = PipelineBuilder(spark=spark, schema=schema)
    b.with_silver_rules(name="customers", table_name="customers", rules={"id": ["not_null"]},
                        watermark_col="updated_at", description="maintained elsewhere")
    b.add_silver_transform(name="vip", transform=clean, rules={}, table_name="vip",
                           source_silvers=["customers"])
    pipeline = b.build()
    existing = pipeline.step("customers")
    assert existing.existing and existing.transform is None and existing.table_name == "customers"
    assert pipeline.step("vip").source_bronze is None


def test_write_modes_and_column_options(spark: SparkSession, schema: str) -> None:
    b = _pipeline(spark, schema)
    b.add_silver_transform(name="upserts", transform=clean, rules={"id": ["not_null"], "ts": []},
                           table_name="upserts", write_mode="MERGE", merge_keys=["id"],
                           filter_columns_by_rules=False)
    b.add_gold_transform(name="totals", transform=summary, rules={}, table_name="totals",
                         write_mode=WriteMode.OVERWRITE, filter_columns_by_rules=True)
    pipeline = b.build()
    upserts = pipeline.step("upserts")
    assert (upserts.write_mode, upserts.merge_keys) == (WriteMode.MERGE, ("id",))
    assert upserts.filter_columns_by_rules is False
    assert upserts.rule_columns == ("id", "ts") and upserts.unchecked_columns == ("ts",)
    assert pipeline.step("totals").write_mode is WriteMode.OVERWRITE
    assert pipeline.step("clean").write_mode is None and pipeline.step("clean").merge_keys == ()


def test_enable_unified_execution(spark: SparkSession, schema: str) -> None:
    b = _pipeline(spark, schema)
    assert b.enable_unified_execution(max_workers=6) is b
    assert (b.settings.unified_execution, b.settings.max_parallel_workers) == (True, 6)
    assert b.parallel_config == ParallelConfig(6, True, True)
    b.enable_unified_execution(max_workers=2, enable_parallel_execution=False,
                               enable_dependency_optimization=False)
    assert (b.settings.unified_execution, b.settings.enable_parallel_silver) == (False, False)


def test_methods_chain_and_accept_keywords(spark: SparkSession, schema: str) -> None:
    b = PipelineBuilder(spark=spark, schema=schema)
    calls: list[Any] = [
        b.with_bronze_rules(name="e", rules={}),
        b.with_silver_rules(name="s0", table_name="s0", rules={}),
        b.add_silver_transform(name="s", transform=clean, rules={}, table_name="s"),
        b.add_gold_transform(name="g", transform=summary, rules={}, table_name="g"),
        b.enable_unified_execution(),
    ]
    assert all(c is b for c in calls)


def test_to_pipeline_returns_a_runner(spark: SparkSession, schema: str) -> None:
    from sparkforge.runner import PipelineRunner

    b = _pipeline(spark, schema)
    runner = b.to_pipeline()
    assert isinstance(runner, PipelineRunner)
    assert runner.pipeline.names() == b.build().names()
    assert runner.spark is spark
