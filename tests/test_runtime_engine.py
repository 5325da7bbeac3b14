"""The runtime engine on its own: specs in, tables and outcomes out."""

from __future__ import annotations

from dataclasses import replace

from pyspark.sql import functions as F
from sparkforge_runtime.engine import RunOptions, run_pipeline
from sparkforge_runtime.rules import rule_from_operator, rule_from_shorthand
from sparkforge_runtime.specs import Mode, Status, StepSpec


def _specs(schema: str):  # type: ignore[no-untyped-def]
    bronze = StepSpec(
        name="events",
        layer="bronze",
        rules=(rule_from_shorthand("id", "not_null"),),
        threshold=50.0,
        table=f"{schema}.events",
        incremental_col="id",
    )
    silver = StepSpec(
        name="clean",
        layer="silver",
        rules=(rule_from_operator("v", "gte", [0]), rule_from_shorthand("id", "not_null")),
        threshold=50.0,
        table=f"{schema}.clean",
        transform=lambda spark, df, prior: df.withColumn("v", F.col("v") * 2),
        source_bronze="events",
    )
    gold = StepSpec(
        name="total",
        layer="gold",
        rules=(rule_from_shorthand("n", "non_negative"),),
        threshold=50.0,
        table=f"{schema}.total",
        transform=lambda spark, silvers: silvers["clean"].agg(F.count("*").alias("n")),
        source_silvers=("clean",),
    )
    return [[bronze], [silver], [gold]]


def test_initial_then_incremental(spark, schema):  # type: ignore[no-untyped-def]
    df = spark.createDataFrame([(1, 5), (2, -1), (None, 3), (3, 7)], "id int, v int")
    opts = RunOptions(mode=Mode.INITIAL, log_table=f"{schema}.logs")
    report = run_pipeline(spark, _specs(schema), {"events": df}, opts)
    assert report.success, report.error_message
    assert report.outcomes["events"].input_rows == 4
    assert report.outcomes["events"].valid_rows == 3
    assert report.outcomes["clean"].rows_written == 2
    assert spark.table(f"{schema}.clean").count() == 2
    assert spark.table(f"{schema}.total").first()["n"] == 2
    more = spark.createDataFrame([(1, 5), (2, -1), (3, 7), (4, 1)], "id int, v int")
    report = run_pipeline(
        spark, _specs(schema), {"events": more}, RunOptions(mode=Mode.INCREMENTAL, log_table=f"{schema}.logs")
    )
    assert report.success, report.error_message
    assert report.outcomes["events"].input_rows == 1
    assert report.outcomes["clean"].write_mode == "append"
    assert spark.table(f"{schema}.clean").count() == 3
    assert spark.table(f"{schema}.total").first()["n"] == 3
    assert spark.table(f"{schema}.logs").count() == 6


def test_threshold_failure_cancels_dependents(spark, schema):  # type: ignore[no-untyped-def]
    df = spark.createDataFrame([(1, -5), (2, -1), (3, 7)], "id int, v int")
    report = run_pipeline(spark, _specs(schema), {"events": df}, RunOptions())
    assert not report.success
    assert report.outcomes["clean"].status is Status.FAILED
    assert report.outcomes["total"].status is Status.CANCELLED
    assert "[silver:clean] validation 33.33% below required 50.00%" in (report.error_message or "")
    assert not spark.catalog.tableExists(f"{schema}.clean")


def test_cached_rows_are_dropped_once_their_readers_are_done(spark, schema):  # type: ignore[no-untyped-def]
    """A step's cache lives until the last step reading it is done, not until the run ends."""
    spark.catalog.clearCache()  # the session is shared: start from an empty cache
    cache = spark._jsparkSession.sharedState().cacheManager()
    seen: dict[str, bool] = {}

    def progress(outcome):  # type: ignore[no-untyped-def]
        seen[outcome.name] = bool(cache.isEmpty())

    df = spark.createDataFrame([(1, 5), (2, 1)], "id int, v int")
    opts = RunOptions(mode=Mode.INITIAL, parallel=False, progress=progress)
    report = run_pipeline(spark, _specs(schema), {"events": df}, opts)
    assert report.success, report.error_message
    # The bronze rows are cached while the silver step reads them, the silver rows while the gold
    # step reads them; once the gold step is written nothing is left, before the run log is written.
    assert seen == {"events": False, "clean": False, "total": True}


def test_rows_a_silver_filters_out_are_not_read_again(spark, schema):  # type: ignore[no-untyped-def]
    """The silver commit records the newest bronze watermark it covered, not its own newest row."""
    specs = _specs(schema)
    silver = specs[1][0]
    specs[1] = [replace(silver, transform=lambda spark, df, prior: df.filter(F.col("v") > 0))]
    df = spark.createDataFrame([(1, 5), (2, 7), (3, -1)], "id int, v int")
    run_pipeline(spark, specs, {"events": df}, RunOptions(mode=Mode.INITIAL))
    assert spark.table(f"{schema}.clean").agg(F.max("id")).first()[0] == 2
    report = run_pipeline(spark, specs, {"events": df}, RunOptions(mode=Mode.INCREMENTAL))
    assert report.success, report.error_message
    # Row 3 was offered to the silver step (which dropped it): the bronze does not read it again.
    assert report.outcomes["events"].input_rows == 0
    assert report.outcomes["clean"].previous_watermark == "3"
    more = spark.createDataFrame([(1, 5), (3, -1), (4, 2)], "id int, v int")
    report = run_pipeline(spark, specs, {"events": more}, RunOptions(mode=Mode.INCREMENTAL))
    assert report.outcomes["events"].input_rows == 1
    assert sorted(r["id"] for r in spark.table(f"{schema}.clean").collect()) == [1, 2, 4]
