"""Validation on a real SparkSession: every rule form, NULL semantics, labels, counts, helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType
from sparkforge.exceptions import ConfigurationError, InvalidRuleError, ValidationError
from sparkforge.ir import RuleKind
from sparkforge.rules import parse_rules, to_runtime_rules
from sparkforge.validation import (
    FAILED_RULES_COLUMN,
    and_all_rules,
    apply_column_rules,
    assess_data_quality,
    get_dataframe_info,
    safe_divide,
    validate_dataframe_schema,
    validation_rate,
)
from sparkforge_runtime.rules import expr_text

SCHEMA = StructType(
    [
        StructField("id", IntegerType()),
        StructField("amount", DoubleType()),
        StructField("name", StringType()),
        StructField("status", StringType()),
        StructField("qty", IntegerType()),
    ]
)
ROWS = [
    (1, 10.0, "alice", "new", 5),
    (2, 0.0, "", "paid", 0),
    (3, -5.0, None, "void", -1),
    (None, None, "bob", None, None),
    (5, 1e6, "carol", "paid", 10),
    (6, 2.5, "Dave", "new", 3),
]


@pytest.fixture(scope="module")
def df(spark: SparkSession) -> Iterator[DataFrame]:
    frame = spark.createDataFrame(ROWS, SCHEMA).cache()
    yield frame
    frame.unpersist()


# (rules, number of valid rows among ROWS); NULL rows are invalid for every rule. Lambdas, because
# Columns can only be built once the session exists.
CASES: dict[str, tuple[Callable[[], dict[str, Any]], int]] = {
    "not_null": (lambda: {"id": ["not_null"]}, 5),
    "positive": (lambda: {"amount": ["positive"]}, 3),
    "non_negative": (lambda: {"amount": ["non_negative"]}, 4),
    "non_zero": (lambda: {"qty": ["non_zero"]}, 4),
    "not_empty": (lambda: {"name": ["not_empty"]}, 4),
    "single item, no list": (lambda: {"id": "not_null"}, 5),
    "nested gt": (lambda: {"qty": [["gt", 0]]}, 3),
    "flat gte": (lambda: {"qty": ["gte", 0]}, 4),
    "flat lt": (lambda: {"qty": ["lt", 10]}, 4),
    "nested lte": (lambda: {"qty": [["lte", 10]]}, 5),
    "eq string": (lambda: {"status": ["eq", "paid"]}, 2),
    "ne string": (lambda: {"status": [["ne", "paid"]]}, 3),
    "in": (lambda: {"status": ["in", ["new", "paid"]]}, 4),
    "not_in": (lambda: {"status": [["not_in", ("void",)]]}, 4),
    "like": (lambda: {"name": ["like", "%a%"]}, 3),
    "between": (lambda: {"amount": ["between", 0, 10]}, 3),
    "tuple operator": (lambda: {"qty": [("between", -1, 0)]}, 2),
    "sql": (lambda: {"amount": ["amount > 0 AND amount < 1e6"]}, 2),
    "sql with function": (lambda: {"name": ["length(trim(name)) >= 4"]}, 3),
    "column isNotNull": (lambda: {"id": [F.col("id").isNotNull()]}, 5),
    "column comparison": (lambda: {"amount": [F.col("amount") > 0]}, 3),
    "column isin": (lambda: {"status": [F.col("status").isin("new")]}, 2),
    "column between": (lambda: {"qty": [F.col("qty").between(0, 5)]}, 3),
    "column when": (lambda: {"qty": [F.when(F.col("qty") > 0, True).otherwise(False)]}, 3),
    "mixed forms ANDed": (lambda: {"id": ["not_null"], "amount": ["positive", ["lt", 1e6]]}, 2),
    "empty rules": (lambda: {}, 6),
}


@pytest.fixture(scope="module")
def form_counts(df: DataFrame) -> dict[str, tuple[int, int, int]]:
    """(total, valid, invalid) per case, all measured in one Spark job."""
    aggs = [F.count(F.lit(1)).alias("total")]
    for i, (make_rules, _) in enumerate(CASES.values()):
        check = and_all_rules(make_rules())
        aggs += [F.count_if(check).alias(f"v{i}"), F.count_if(~check).alias(f"i{i}")]
    row = df.agg(*aggs).first()
    assert row is not None
    return {name: (row["total"], row[f"v{i}"], row[f"i{i}"]) for i, name in enumerate(CASES)}


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_form_counts(form_counts: dict[str, tuple[int, int, int]], case: str) -> None:
    total, valid, invalid = form_counts[case]
    assert (total, valid) == (6, CASES[case][1])
    assert valid + invalid == total


@pytest.mark.parametrize("case", ["mixed forms ANDed", "column when", "not_in", "empty rules"])
def test_apply_column_rules_splits_rows(df: DataFrame, case: str) -> None:
    make_rules, expected_valid = CASES[case]
    valid_df, invalid_df, stats = apply_column_rules(df, make_rules(), "silver", "step")
    assert (stats.total_rows, stats.valid_rows, stats.invalid_rows) == (
        6, expected_valid, 6 - expected_valid
    )
    assert stats.validation_rate == pytest.approx(expected_valid * 100 / 6)
    assert (stats.stage, stats.step) == ("silver", "step")
    assert stats.duration_secs > 0
    # both outputs in one job: valid rows carry no failure list, invalid rows a non-empty one
    failures = F.lit(None).cast("array<string>").alias(FAILED_RULES_COLUMN)
    rows = valid_df.select(failures).unionByName(invalid_df.select(FAILED_RULES_COLUMN)).collect()
    assert sum(r[0] is None for r in rows) == expected_valid
    assert sum(bool(r[0]) for r in rows) == 6 - expected_valid == len(rows) - expected_valid


def test_failed_rules_labels(df: DataFrame) -> None:
    rules = {"amount": ["positive", ["lt", 100], "amount != 0"], "id": [F.col("id") > 1]}
    _, invalid_df, _ = apply_column_rules(df, rules, "silver", "s", filter_columns_by_rules=False)
    failed = {row["name"]: row[FAILED_RULES_COLUMN] for row in invalid_df.collect()}
    id_label = f"id:{expr_text(F.col('id') > 1)}"  # Spark renders Columns its own way
    assert failed == {
        "alice": [id_label],
        "": ["amount:positive", "amount:amount != 0"],
        None: ["amount:positive"],
        "bob": ["amount:positive", "amount:lt(100)", "amount:amount != 0", id_label],
        "carol": ["amount:lt(100)"],
    }


def test_column_filtering(df: DataFrame) -> None:
    rules = {"qty": ["non_negative"], "id": [], "amount": ["not_null"]}
    valid_df, invalid_df, stats = apply_column_rules(df, rules, "bronze", "b")
    assert valid_df.columns == ["qty", "amount", "id"]
    assert invalid_df.columns == ["qty", "amount", "id", FAILED_RULES_COLUMN]
    assert stats.valid_rows == 4  # the empty list keeps "id" without checking it
    kept, _, _ = apply_column_rules(df, rules, "bronze", "b", filter_columns_by_rules=False)
    assert kept.columns == df.columns
    everything, _, _ = apply_column_rules(df, {}, "bronze", "b")
    assert everything.columns == df.columns


def test_empty_dataframe_rate_is_100(spark: SparkSession) -> None:
    empty = spark.createDataFrame([], SCHEMA)
    _, _, stats = apply_column_rules(empty, {"id": ["not_null"]}, "gold", "g")
    assert (stats.total_rows, stats.valid_rows, stats.validation_rate) == (0, 0, 100.0)


def test_counts_take_one_aggregate_job(spark: SparkSession, df: DataFrame) -> None:
    sc = spark.sparkContext
    tracker = sc.statusTracker()
    sc.setJobGroup("sf-baseline", "one aggregate")
    df.agg(F.count(F.lit(1))).first()
    sc.setJobGroup("sf-apply", "apply_column_rules")
    apply_column_rules(df, {"id": ["not_null"], "amount": ["positive"]}, "silver", "s")
    sc.setJobGroup("sf-rest", "rest")
    baseline = len(tracker.getJobIdsForGroup("sf-baseline"))
    assert len(tracker.getJobIdsForGroup("sf-apply")) == baseline


def test_rule_errors(df: DataFrame) -> None:
    with pytest.raises(ValidationError, match="rules is None"):
        apply_column_rules(df, None, "silver", "s")
    with pytest.raises(ValidationError) as err:
        apply_column_rules(df, {"amount": ["positive"], "price": ["positive"], "sku": []},
                           "silver", "clean")
    message = str(err.value)
    assert "silver step 'clean'" in message and "['price', 'sku']" in message
    assert "available columns: ['id', 'amount', 'name', 'status', 'qty']" in message
    with pytest.raises(InvalidRuleError, match="unknown operator 'greater'"):
        apply_column_rules(df, {"qty": ["greater", 1]}, "silver", "s")


def test_and_all_rules(df: DataFrame) -> None:
    assert df.filter(and_all_rules({"amount": ["positive"], "qty": [["gt", 3]]})).count() == 2
    assert df.filter(and_all_rules([F.col("qty") > 0, F.col("id") < 6])).count() == 2
    assert df.filter(and_all_rules([])).count() == 6
    # NULL counts as false, so the negation (the invalid rows) includes the NULL row
    assert df.filter(~and_all_rules([F.col("qty") > 0])).count() == 3
    with pytest.raises(ValidationError, match="rules dict or a list of Columns"):
        and_all_rules(["not_null"])  # type: ignore[list-item]


def test_assess_data_quality(df: DataFrame) -> None:
    rules = {"amount": ["positive"], "status": ["not_null"]}
    result = assess_data_quality(df, rules, threshold=50.0)
    assert (result.total_rows, result.valid_rows, result.invalid_rows) == (6, 3, 3)
    assert result.validation_rate == 50.0 and result.passed  # equal passes
    assert result.failed_rule_counts == {"amount:positive": 3, "status:not_null": 1}
    assert not assess_data_quality(df, rules, threshold=50.01).passed
    assert assess_data_quality(df, {}).passed
    with pytest.raises(ConfigurationError, match="threshold must be between 0 and 100"):
        assess_data_quality(df, rules, threshold=101)


def test_rule_specs_round_trip_to_runtime() -> None:
    specs = parse_rules({"a": ["not_null", ["in", {"y", "x"}], "a > 1"], "b": [F.col("b") > 0]})
    assert [s.kind for s in specs] == [RuleKind.SHORTHAND, RuleKind.OPERATOR, RuleKind.SQL,
                                       RuleKind.EXPR]
    assert specs[1].args == (["x", "y"],)  # sets are sorted: labels are deterministic
    labels = [r.label for r in to_runtime_rules(specs)]
    assert labels == ["a:not_null", "a:in(['x', 'y'])", "a:a > 1", f"b:{expr_text(F.col('b') > 0)}"]
    assert [s.label for s in specs[:3]] == labels[:3]


def test_schema_info_and_math(df: DataFrame) -> None:
    assert validate_dataframe_schema(df, SCHEMA)
    assert validate_dataframe_schema(df, StructType([StructField("qty", IntegerType())]))
    assert not validate_dataframe_schema(df, StructType([StructField("qty", StringType())]))
    assert not validate_dataframe_schema(df, StructType([StructField("nope", StringType())]))
    assert validate_dataframe_schema(df, ["id", "qty"])
    assert not validate_dataframe_schema(df, ["id", "nope"])
    info = get_dataframe_info(df)
    assert info["row_count"] == 6 and info["column_count"] == 5 and not info["is_empty"]
    assert info["columns"] == ["id", "amount", "name", "status", "qty"]
    assert info["dtypes"]["amount"] == "double"
    assert safe_divide(1, 4) == 0.25
    assert safe_divide(1, 0) == 0.0 and safe_divide(1, 0, default=-1.0) == -1.0
    assert safe_divide(None, 2) == 0.0 and safe_divide(3, None, 9.0) == 9.0
    assert validation_rate(0, 0) == 100.0 and validation_rate(1, 4) == 25.0
