"""Steps across schemas: each step's `schema=` is checked against the catalog and decides where its
table is read or written (`<step schema or builder schema>.<table>`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge.builder import PipelineBuilder
from sparkforge.exceptions import StepError
from sparkforge.ir import Layer, Pipeline, Step
from sparkforge.rules import to_runtime_rules
from sparkforge.validation import apply_column_rules
from sparkforge_runtime.rules import predicate


def clean_events(spark: SparkSession, bronze_df: DataFrame, prior: dict[str, DataFrame]) -> DataFrame:
    return bronze_df.withColumn("amount", F.col("amount") * 2)


def daily_metrics(spark: SparkSession, silvers: dict[str, DataFrame]) -> DataFrame:
    return silvers["clean_events"].groupBy("user_id").agg(F.sum("amount").alias("total"))


def fqn(pipeline: Pipeline, step: Step) -> str:
    """Where the step's table lives: bronze reads its name, silver and gold write table_name."""
    table = step.name if step.layer is Layer.BRONZE else step.table_name
    return f"{step.schema or pipeline.settings.schema}.{table}"


def test_three_schema_flow(spark: SparkSession, schema: str,
                           make_schema: Callable[[str], str]) -> None:
    raw, processing, analytics = make_schema("raw"), make_schema("proc"), make_schema("analytics")
    source = spark.createDataFrame(
        [(1, 10.0), (1, 5.0), (2, 7.0), (None, 1.0)], "user_id int, amount double"
    )
    source.write.format("delta").saveAsTable(f"{raw}.raw_events")
    pipeline = (
        PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=50.0, verbose=False)
        .with_bronze_rules(name="raw_events", rules={"user_id": ["not_null"], "amount": []},
                           schema=raw)
        .add_silver_transform(name="clean_events", transform=clean_events,
                              rules={"user_id": ["not_null"], "amount": ["positive"]},
                              table_name="clean_events", schema=processing)
        .add_gold_transform(name="daily_metrics", transform=daily_metrics,
                            rules={"user_id": ["not_null"], "total": ["positive"]},
                            table_name="daily_metrics", schema=analytics)
        .build()
    )
    bronze, silver, gold = pipeline.steps
    assert [fqn(pipeline, s) for s in pipeline.steps] == [
        f"{raw}.raw_events", f"{processing}.clean_events", f"{analytics}.daily_metrics"
    ]

    # Run the steps by hand (the runner is tested elsewhere): read, transform, validate, write.
    valid, _, stats = apply_column_rules(spark.table(fqn(pipeline, bronze)), {
        "user_id": ["not_null"], "amount": []}, "bronze", bronze.name)
    assert (stats.valid_rows, stats.invalid_rows) == (3, 1)
    assert silver.transform is not None and silver.transform.func is not None
    out = silver.transform.func(spark, valid, {})
    out = out.filter(predicate(to_runtime_rules(silver.rules)))
    out.write.format("delta").saveAsTable(fqn(pipeline, silver))
    assert gold.transform is not None and gold.transform.func is not None
    silvers = {name: spark.table(fqn(pipeline, pipeline.step(name))) for name in gold.source_silvers}
    gold.transform.func(spark, silvers).write.format("delta").saveAsTable(fqn(pipeline, gold))

    totals = {r["user_id"]: r["total"] for r in spark.table(f"{analytics}.daily_metrics").collect()}
    assert totals == {1: 30.0, 2: 14.0}
    assert spark.catalog.tableExists(f"{processing}.clean_events")
    assert not spark.catalog.tableExists(f"{schema}.clean_events")
    assert not spark.catalog.tableExists(f"{processing}.daily_metrics")


def test_default_schema_when_step_schema_omitted(spark: SparkSession, schema: str,
                                                 make_schema: Callable[[str], str]) -> None:
    staging = make_schema("staging")
    pipeline = (
        PipelineBuilder(spark=spark, schema=schema)
        .with_bronze_rules(name="events", rules={"id": ["not_null"]})
        .with_silver_rules(name="customers", table_name="customers", rules={}, schema=staging)
        .add_silver_transform(name="clean", transform=clean_events, rules={}, table_name="clean")
        .build()
    )
    events, customers, clean = pipeline.steps
    assert events.schema is None and clean.schema is None
    assert fqn(pipeline, events) == f"{schema}.events"
    assert fqn(pipeline, clean) == f"{schema}.clean"
    assert fqn(pipeline, customers) == f"{staging}.customers"


@pytest.mark.parametrize("method", ["bronze", "existing_silver", "silver", "gold"])
def test_missing_schema_rejected_by_every_step_kind(spark: SparkSession, schema: str,
                                                    make_schema: Callable[[str], str],
                                                    method: str) -> None:
    gone = make_schema("gone")
    spark.sql(f"DROP SCHEMA {gone}")
    b = (
        PipelineBuilder(spark=spark, schema=schema)
        .with_bronze_rules(name="events", rules={})
        .add_silver_transform(name="s0", transform=clean_events, rules={}, table_name="s0")
    )
    calls = {
        "bronze": lambda: b.with_bronze_rules(name="x", rules={}, schema=gone),
        "existing_silver": lambda: b.with_silver_rules(name="x", table_name="x", rules={},
                                                       schema=gone),
        "silver": lambda: b.add_silver_transform(name="x", transform=clean_events, rules={},
                                                 table_name="x", schema=gone),
        "gold": lambda: b.add_gold_transform(name="x", transform=daily_metrics, rules={},
                                             table_name="x", schema=gone),
    }
    with pytest.raises(StepError) as err:
        calls[method]()
    assert f"step 'x': schema '{gone}' does not exist" in str(err.value)
    assert f"CREATE SCHEMA IF NOT EXISTS {gone}" in str(err.value)
    assert err.value.step == "x"
