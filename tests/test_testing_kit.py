"""`sparkforge.testing`: run_step on every kind of step and input, its errors, the DataFrame assert
and its diff, and the opt-in pytest plugin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder
from sparkforge.testing import assert_frame_equal, frame_differences, run_step

ROOT = Path(__file__).resolve().parent.parent


def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict[str, DataFrame]) -> DataFrame:
    return bronze_df.withColumn("amount", F.col("amount") * 2)


def enrich(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict[str, DataFrame]) -> DataFrame:
    return prior_silvers["clean"].join(prior_silvers["names"], "id", "left")


def total(spark: SparkSession, silvers: dict[str, DataFrame]) -> DataFrame:
    return silvers["clean"].agg(F.sum("amount").alias("total"))


def build(spark: SparkSession) -> PipelineBuilder:
    return (
        PipelineBuilder(spark=spark, schema="kit", min_bronze_rate=50.0, min_silver_rate=60.0,
                        min_gold_rate=99.0)
        .with_bronze_rules(name="raw", rules={"id": ["not_null"], "amount": [["gte", 0]]},
                           incremental_col="id")
        .add_silver_transform(name="clean", source_bronze="raw", transform=clean,
                              rules={"id": ["not_null"], "amount": ["positive", ["lt", 100]]},
                              table_name="clean")
        .with_bronze_rules(name="raw_names", rules={"id": ["not_null"]})
        .add_silver_transform(name="names", source_bronze="raw_names", transform=lambda s, b, p: b,
                              rules={"id": ["not_null"], "name": []}, table_name="names")
        .add_silver_transform(name="enriched", source_bronze="raw", depends_on=["clean", "names"],
                              transform=enrich, rules={"id": ["not_null"], "name": ["not_null"]},
                              table_name="enriched")
        .add_gold_transform(name="total", source_silvers=["clean"], transform=total,
                            rules={"total": ["non_negative"]}, table_name="total")
    )


@pytest.fixture
def raw(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([(1, 10.0), (2, 0.0), (3, 60.0), (None, 1.0)], "id long, amount double")


def test_a_silver_step_gives_valid_and_invalid_rows_rate_and_rule_counts(raw: DataFrame) -> None:
    result = run_step(build, "clean", bronze=raw)
    assert (result.total_rows, result.valid_rows, result.invalid_rows) == (4, 1, 3)
    assert result.rate == 25.0 and result.threshold == 60.0 and not result.passed
    assert result.message == "[silver:clean] validation 25.00% below required 60.00% (3 of 4 rows invalid)"
    assert result.rules == {"id:not_null": 1, "amount:positive": 1, "amount:lt(100)": 1}
    assert_frame_equal(result.valid, [{"id": 1, "amount": 20.0}])
    failed = {r["id"]: r["_failed_rules"] for r in result.invalid.collect()}
    assert failed == {2: ["amount:positive"], 3: ["amount:lt(100)"], None: ["id:not_null"]}


def test_a_bronze_step_validates_the_rows_given(raw: DataFrame) -> None:
    result = run_step(build, "raw", bronze=raw)
    assert result.passed and result.rate == 75.0 and result.rules == {"id:not_null": 1, "amount:gte(0)": 0}


def test_prior_silvers_and_gold_inputs_come_from_silvers(spark: SparkSession, raw: DataFrame) -> None:
    clean_rows = spark.createDataFrame([(1, 3.0), (2, 4.0)], "id long, amount double")
    names = spark.createDataFrame([(1, "a")], "id long, name string")
    enriched = run_step(build, "enriched", bronze=raw, silvers={"clean": clean_rows, "names": names})
    assert enriched.rules == {"id:not_null": 0, "name:not_null": 1} and enriched.rate == 50.0
    gold = run_step(build(spark), "total", silvers={"clean": clean_rows, "names": names})
    assert gold.passed
    assert_frame_equal(gold.valid, [{"total": 7.0}])
    assert run_step(build(spark).to_pipeline(), "total", silvers={"clean": clean_rows}).passed


@pytest.mark.parametrize(
    ("step", "inputs", "message"),
    [
        ("clen", {}, "the pipeline has no step 'clen'; did you mean 'clean'?"),
        ("raw", {}, "bronze step 'raw' validates the rows you pass: run_step(..., 'raw', bronze=df)"),
        ("clean", {}, "silver step 'clean' transforms the rows of bronze step 'raw': pass them as bronze=df"),
        ("total", {"silvers": {}}, "gold step 'total' reads ['clean'] in its silvers: pass silvers={'clean': df}"),
        ("clean", {"bronze": [(1, 2.0)]}, "run_step('clean'): bronze must be a DataFrame, got list"),
    ],
)
def test_mistakes_in_a_test_say_what_to_pass(spark: SparkSession, step: str, inputs: dict[str, Any],
                                             message: str) -> None:  # fmt: skip
    with pytest.raises((KeyError, ValueError, TypeError)) as caught:
        run_step(build, step, spark=spark, **inputs)
    assert message in str(caught.value)


def test_build_must_return_the_builder(spark: SparkSession, raw: DataFrame) -> None:
    with pytest.raises(TypeError, match=r"returned NoneType; it should return the PipelineBuilder"):
        run_step(lambda spark: None, "clean", bronze=raw)


def test_a_transform_error_raises_as_in_a_run(spark: SparkSession) -> None:
    wrong = spark.createDataFrame([(1,)], "id long")
    with pytest.raises(Exception, match="amount"):
        run_step(build, "clean", bronze=wrong)


def test_assert_frame_equal_passes_on_the_same_rows_in_any_order(spark: SparkSession) -> None:
    a = spark.createDataFrame([(1, "x"), (2, "y"), (2, "y")], "id long, v string")
    b = spark.createDataFrame([(2, "y"), (1, "x"), (2, "y")], "id long, v string")
    assert_frame_equal(a, b)
    assert_frame_equal(a, [{"id": 2, "v": "y"}, {"id": 1, "v": "x"}, {"id": 2, "v": "y"}])
    with pytest.raises(AssertionError, match=r"row 0 differs"):
        assert_frame_equal(a, b, ignore_order=False)


def test_the_diff_lists_missing_and_unexpected_rows_and_names_schema_differences(spark: SparkSession) -> None:
    actual = spark.createDataFrame([(1, 1.0, [1]), (3, 3.0, [3])], "id long, amount double, tags array<int>")
    expected = spark.createDataFrame([(1, 1, [1]), (2, 2, [2])], "id long, amount int, tags array<int>")
    with pytest.raises(AssertionError) as caught:
        assert_frame_equal(actual, expected)
    assert str(caught.value) == (
        "DataFrames differ\n"
        "  column 'amount': expected type int, got double\n"
        "  rows missing from actual (1 of 2 expected):\n"
        "    - {'id': 2, 'amount': 2, 'tags': [2]}\n"
        "  unexpected rows in actual (1 of 2):\n"
        "    + {'id': 3, 'amount': 3.0, 'tags': [3]}"
    )
    assert frame_differences(actual, expected, check_types=False)[0].startswith("rows missing")
    extra = actual.withColumn("more", F.lit(1)).drop("tags")
    problems = frame_differences(extra, actual, check_types=False)
    assert problems[:2] == ["columns missing from actual: ['tags']", "unexpected columns in actual: ['more']"]


def test_the_plugin_is_registered_and_opt_in(request: pytest.FixtureRequest) -> None:
    assert request.config.pluginmanager.hasplugin("sparkforge"), "run `make setup` to register it"
    code = ("import sys, sparkforge.testing.plugin as p; "
            "assert 'pyspark' not in sys.modules, 'the plugin imports Spark at load'; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
