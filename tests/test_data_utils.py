"""create_sample_dataframe, validate_dataframe and get_dataframe_stats on real Spark."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from sparkforge.data_utils import create_sample_dataframe, get_dataframe_stats, validate_dataframe
from sparkforge.exceptions import InvalidRuleError, ValidationError

DDL = (
    "id INT NOT NULL, name STRING, amount DECIMAL(10,2), ratio DECIMAL(3,3) NOT NULL, "
    "flag BOOLEAN, day DATE, ts TIMESTAMP, ntz TIMESTAMP_NTZ, score DOUBLE, f FLOAT, "
    "big BIGINT NOT NULL, small SMALLINT, tiny TINYINT, code VARCHAR(4), `odd.name` STRING"
)
_groups = itertools.count()


def jobs_of(spark: SparkSession, action: Callable[[], Any]) -> tuple[Any, int]:
    """Run `action` in its own job group; return its result and the number of Spark jobs."""
    sc = spark.sparkContext
    group = f"data_utils_{next(_groups)}"
    sc.setJobGroup(group, group)
    try:
        result = action()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
    return result, len(sc.statusTracker().getJobIdsForGroup(group))


@pytest.fixture(scope="module")
def sample(spark: SparkSession) -> Iterator[DataFrame]:
    df = create_sample_dataframe(spark, DDL, num_rows=2000).cache()
    yield df
    df.unpersist()


# -- create_sample_dataframe -------------------------------------------------------------------


def test_sample_matches_the_schema_exactly(spark: SparkSession, sample: DataFrame) -> None:
    expected = T.StructType.fromDDL(DDL)
    assert isinstance(expected, T.StructType)
    fields = [(f.name, f.dataType.simpleString(), f.nullable) for f in sample.schema.fields]
    want = [(f.name, "string" if f.name == "code" else f.dataType.simpleString(), f.nullable)
            for f in expected.fields]
    assert fields == want
    assert sample.count() == 2000


def test_sample_from_struct_type(spark: SparkSession) -> None:
    schema = T.StructType([T.StructField("user_id", T.LongType(), False),
                           T.StructField("active", T.BooleanType(), True)])
    df = create_sample_dataframe(spark, schema, num_rows=10)
    assert df.schema == schema and df.count() == 10


def test_sample_is_deterministic_per_seed(spark: SparkSession, sample: DataFrame) -> None:
    again = create_sample_dataframe(spark, DDL, num_rows=2000).collect()
    other = create_sample_dataframe(spark, DDL, num_rows=2000, seed=7).collect()
    assert sample.collect() == again
    assert sample.collect() != other


def test_sample_nulls_only_where_nullable_and_about_5_percent(sample: DataFrame) -> None:
    stats = get_dataframe_stats(sample)
    for field in sample.schema.fields:
        nulls = stats["null_counts"][field.name]
        if field.nullable:
            assert 40 <= nulls <= 180, (field.name, nulls)  # ~5% of 2000
        else:
            assert nulls == 0, field.name


def test_sample_values_are_in_their_documented_ranges(sample: DataFrame) -> None:
    rows = sample.collect()
    assert rows[3]["name"] == "name_3" and rows[3]["odd.name"] in (None, "odd.name_3")
    for row in rows:
        assert 0 <= row["id"] < 1_000_000 and 0 <= row["big"] < 10**12
        assert Decimal("0") <= row["ratio"] < Decimal("1")
        if row["amount"] is not None:
            assert row["amount"] < Decimal("100000000") and row["amount"].as_tuple().exponent == -2
        if row["day"] is not None:
            assert dt.date(2024, 1, 1) <= row["day"] <= dt.date(2025, 12, 31)
        if row["code"] is not None:
            assert len(row["code"]) <= 4
    flags = {r["flag"] for r in rows}
    assert flags == {True, False, None}


def test_sample_edge_cases(spark: SparkSession) -> None:
    assert create_sample_dataframe(spark, "a INT", num_rows=0).count() == 0
    with pytest.raises(ValueError, match="num_rows"):
        create_sample_dataframe(spark, "a INT", num_rows=-1)
    with pytest.raises(ValueError, match=r"'tags' has type array<int>.*supported: boolean"):
        create_sample_dataframe(spark, "id INT, tags ARRAY<INT>")
    with pytest.raises(ValueError, match="StructType or a DDL string"):
        create_sample_dataframe(spark, "")


# -- validate_dataframe ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def orders(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(
        [(1, "a@x.io", 10.0, "paid"), (2, "b@x.io", 0.5, "open"), (3, "c@x.io", 7.0, "paid")],
        "id INT, email STRING, amount DOUBLE, status STRING",
    )


@pytest.mark.parametrize(
    ("make_rules", "expected"),
    [  # lambdas: PySpark Columns can only be built once the session exists
        (lambda: {}, True),
        (lambda: {"id": ["not_null", "positive"]}, True),
        (lambda: {"amount": [F.col("amount") > 0, "amount < 100"]}, True),
        (lambda: {"status": ["status IN ('paid', 'open')"], "email": ["not_empty"]}, True),
        (lambda: {"amount": ["amount > 1"]}, False),
        (lambda: {"status": [F.col("status") == "paid"]}, False),
        (lambda: {"id": "non_negative", "amount": "non_zero"}, True),
        (lambda: {"amount": [["gt", 0], ["lt", 10]]}, False),
        (lambda: {"status": ["in", ["paid", "open"]], "id": ["between", 1, 3]}, True),
        (lambda: [F.col("id") > 0, F.col("amount") > 0], True),
    ],
)
def test_validate_dataframe(
    orders: DataFrame, make_rules: Callable[[], Any], expected: bool
) -> None:
    assert validate_dataframe(orders, make_rules()) is expected


def test_null_rule_result_is_invalid(spark: SparkSession) -> None:
    df = spark.createDataFrame([(1,), (None,)], "x INT")
    assert validate_dataframe(df, {"x": ["x > 0"]}) is False
    assert validate_dataframe(df.limit(0), {"x": ["x > 0"]}) is True


def test_validate_dataframe_errors(orders: DataFrame) -> None:
    with pytest.raises(ValidationError, match="rules is None"):
        validate_dataframe(orders, None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError,
                       match="lacks: price, qty; available: id, email, amount, status"):
        validate_dataframe(orders, {"price": ["positive"], "qty": ["positive"]})
    with pytest.raises(InvalidRuleError, match="'id'"):
        validate_dataframe(orders, {"id": [5]})
    with pytest.raises(InvalidRuleError, match="';' would start a second statement"):
        validate_dataframe(orders, {"id": ["id > 0; DROP TABLE orders"]})


def test_validate_dataframe_costs_one_aggregate_job(
    spark: SparkSession, sample: DataFrame
) -> None:
    _, baseline = jobs_of(spark, lambda: sample.agg(F.count(F.lit(1))).collect())
    ok, jobs = jobs_of(spark, lambda: validate_dataframe(sample, {"id": ["not_null"],
                                                                  "big": ["big >= 0"]}))
    assert ok is True and jobs == baseline
    _, two_counts = jobs_of(spark, lambda: (sample.count(), sample.filter("id > 0").count()))
    assert jobs < two_counts


# -- get_dataframe_stats -----------------------------------------------------------------------


def test_stats_are_exact(spark: SparkSession) -> None:
    df = spark.createDataFrame([(1, None, "x"), (None, None, "y"), (3, 2.0, None)],
                               "a INT, b DOUBLE, `c.d` STRING")
    stats = get_dataframe_stats(df)
    assert stats == {
        "row_count": 3,
        "column_count": 3,
        "columns": ["a", "b", "c.d"],
        "dtypes": {"a": "int", "b": "double", "c.d": "string"},
        "null_counts": {"a": 1, "b": 2, "c.d": 1},
        "null_percentages": {"a": 100 / 3, "b": 200 / 3, "c.d": 100 / 3},
    }


def test_stats_of_an_empty_frame(spark: SparkSession) -> None:
    stats = get_dataframe_stats(spark.createDataFrame([], "a INT"))
    assert stats["row_count"] == 0 and stats["null_counts"] == {"a": 0}
    assert stats["null_percentages"] == {"a": 0.0}


def test_stats_cost_one_aggregate_job(spark: SparkSession, sample: DataFrame) -> None:
    _, baseline = jobs_of(spark, lambda: sample.agg(F.count(F.lit(1))).collect())
    stats, jobs = jobs_of(spark, lambda: get_dataframe_stats(sample))
    assert stats["row_count"] == 2000 and jobs == baseline
