"""Definition-time errors: exact types, messages naming the step, and the suggested fix."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from sparkforge.builder import PipelineBuilder
from sparkforge.exceptions import (
    ConfigurationError,
    ExecutionError,
    InvalidRuleError,
    PipelineValidationError,
    SparkForgeError,
    StepError,
    TableOperationError,
    ValidationError,
)


def fn(spark: SparkSession, df: DataFrame, prior: dict[str, DataFrame]) -> DataFrame:
    return df


class NoSpark:
    """Stands in for a SparkSession and fails the test if anything touches it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"Spark was called ({name}) before the input was rejected")


@pytest.fixture
def b(spark: SparkSession, schema: str) -> PipelineBuilder:
    return (
        PipelineBuilder(spark=spark, schema=schema, verbose=False)
        .with_bronze_rules(name="events", rules={"id": ["not_null"]})
        .add_silver_transform(name="clean_events", transform=fn, rules={}, table_name="clean")
    )


def test_error_format_and_hierarchy() -> None:
    err = StepError("silver step 'x': broken", step="x", layer="silver",
                    suggestions=("fix a", "fix b"))
    assert str(err) == "silver step 'x': broken\n  hint: fix a\n  hint: fix b"
    assert (err.message, err.step, err.layer, err.suggestions) == (
        "silver step 'x': broken", "x", "silver", ("fix a", "fix b")
    )
    assert str(ValidationError("plain")) == "plain" and ValidationError("p").step is None
    assert TableOperationError("write failed", table="s.t").table == "s.t"
    assert StepError("m", suggestions="one hint").suggestions == ("one hint",)
    for cls in (ValidationError, PipelineValidationError, StepError, TableOperationError,
                ConfigurationError, ExecutionError, InvalidRuleError):
        assert issubclass(cls, SparkForgeError)
    assert issubclass(InvalidRuleError, ValidationError) and issubclass(InvalidRuleError, StepError)
    assert issubclass(ConfigurationError, PipelineValidationError)


@pytest.mark.parametrize("name", ["", "   ", None, 3])
def test_empty_or_non_string_name(spark: SparkSession, schema: str, name: Any) -> None:
    with pytest.raises(StepError, match="bronze step name must be a non-empty string"):
        PipelineBuilder(spark=spark, schema=schema).with_bronze_rules(name=name, rules={})


def test_duplicate_names_across_layers(b: PipelineBuilder) -> None:
    with pytest.raises(StepError) as err:
        b.add_gold_transform(name="events", transform=fn, rules={}, table_name="g")
    message = str(err.value)
    assert "gold step 'events'" in message and "bronze step 'events'" in message
    assert "unique across all layers" in message
    assert (err.value.step, err.value.layer) == ("events", "gold")
    with pytest.raises(StepError, match="already used by the silver step 'clean_events'"):
        b.with_bronze_rules(name="clean_events", rules={})


def test_unknown_source_bronze_did_you_mean(b: PipelineBuilder) -> None:
    with pytest.raises(StepError) as err:
        b.add_silver_transform(name="s2", transform=fn, rules={}, table_name="s2",
                               source_bronze="event")
    assert "silver step 's2': source_bronze 'event' is not a bronze step" in str(err.value)
    assert "did you mean 'events'?" in str(err.value)
    with pytest.raises(StepError, match="source_bronze 'clean_events' is a silver step"):
        b.add_silver_transform(name="s3", transform=fn, rules={}, table_name="s3",
                               source_bronze="clean_events")


def test_unknown_gold_source_silvers_did_you_mean(b: PipelineBuilder) -> None:
    with pytest.raises(StepError) as err:
        b.add_gold_transform(name="daily", transform=fn, rules={}, table_name="daily",
                             source_silvers=["clean_event"])
    assert "gold step 'daily': source_silvers names unknown step 'clean_event'" in str(err.value)
    assert "did you mean 'clean_events'?" in str(err.value)
    with pytest.raises(StepError, match="names 'events', which is a bronze step"):
        b.add_gold_transform(name="d2", transform=fn, rules={}, table_name="d2",
                             source_silvers=["events"])


def test_unknown_depends_on_reported_at_build(b: PipelineBuilder) -> None:
    b.add_silver_transform(name="joined", transform=fn, rules={}, table_name="joined",
                           depends_on=["clean_evnts"])
    with pytest.raises(StepError) as err:
        b.build()
    assert "silver step 'joined': depends_on names unknown step 'clean_evnts'" in str(err.value)
    assert "did you mean 'clean_events'?" in str(err.value)
    with pytest.raises(StepError, match="depends_on names 'events', which is a bronze step"):
        b.add_silver_transform(name="j2", transform=fn, rules={}, table_name="j2",
                               depends_on=["events"])


def test_nothing_to_infer_from(spark: SparkSession, schema: str) -> None:
    empty = PipelineBuilder(spark=spark, schema=schema)
    with pytest.raises(StepError, match="silver step 's': there is no bronze step to read from"):
        empty.add_silver_transform(name="s", transform=fn, rules={}, table_name="s")
    with pytest.raises(StepError, match="gold step 'g': there is no silver step to read from"):
        empty.add_gold_transform(name="g", transform=fn, rules={}, table_name="g")
    with pytest.raises(PipelineValidationError, match="the pipeline has no steps"):
        empty.build()


def test_cycle_shown_as_path(b: PipelineBuilder) -> None:
    b.add_silver_transform(name="a", transform=fn, rules={}, table_name="a", depends_on=["b"])
    b.add_silver_transform(name="b", transform=fn, rules={}, table_name="b",
                           source_silvers=["c"])
    b.add_silver_transform(name="c", transform=fn, rules={}, table_name="c", depends_on=["a"])
    with pytest.raises(PipelineValidationError) as err:
        b.to_pipeline()
    assert "dependency cycle: a -> b -> c -> a" in str(err.value)
    assert err.value.step == "a"


def test_self_dependency_is_a_cycle(b: PipelineBuilder) -> None:
    b.add_silver_transform(name="loop", transform=fn, rules={}, table_name="loop",
                           depends_on=["loop"])
    with pytest.raises(PipelineValidationError, match="dependency cycle: loop -> loop"):
        b.build()


@pytest.mark.parametrize("option", ["min_bronze_rate", "min_silver_rate", "min_gold_rate"])
@pytest.mark.parametrize("value", [-1, 100.5, 1000, math.nan, "98"])
def test_threshold_outside_0_100(spark: SparkSession, schema: str, option: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=f"{option} must be"):
        PipelineBuilder(spark=spark, schema=schema, **{option: value})


def test_thresholds_at_the_bounds_are_fine(spark: SparkSession, schema: str) -> None:
    b = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=0, min_gold_rate=100)
    assert (b.settings.min_bronze_rate, b.settings.min_gold_rate) == (0.0, 100.0)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_max_parallel_workers_below_one(spark: SparkSession, schema: str, workers: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_parallel_workers must be an integer >= 1"):
        PipelineBuilder(spark=spark, schema=schema, max_parallel_workers=workers)
    with pytest.raises(ConfigurationError, match="max_workers must be an integer >= 1"):
        PipelineBuilder(spark=spark, schema=schema).enable_unified_execution(max_workers=workers)


def test_bad_builder_options(spark: SparkSession, schema: str) -> None:
    with pytest.raises(ConfigurationError, match="table_format must be one of"):
        PipelineBuilder(spark=spark, schema=schema, table_format="csv")
    with pytest.raises(ConfigurationError, match="spark is None"):
        PipelineBuilder(spark=None, schema=schema)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="invalid schema name") as err:
        PipelineBuilder(spark=spark, schema="shop; DROP DATABASE x")
    assert err.value.suggestions
    with pytest.raises(ConfigurationError, match="unknown option 'min_bronz_rate'") as err:
        PipelineBuilder.for_production(spark, schema, min_bronz_rate=1.0)
    assert "did you mean 'min_bronze_rate'?" in str(err.value)
    with pytest.raises(ConfigurationError, match="invalid table name"):
        PipelineBuilder(spark=spark, schema=schema, log_table="logs--x")


@pytest.mark.parametrize("table", ["orders; DROP TABLE users", "a b", "x' OR '1'='1", "select"])
def test_malicious_table_name_rejected_before_spark(table: str) -> None:
    b = PipelineBuilder(spark=NoSpark(), schema="shop")  # type: ignore[arg-type]
    b.with_bronze_rules(name="events", rules={})
    with pytest.raises(StepError, match="silver step 'clean': invalid table name") as err:
        b.add_silver_transform(name="clean", transform=fn, rules={}, table_name=table,
                               schema="other")
    assert err.value.suggestions
    with pytest.raises(StepError, match="gold step 'g': invalid table name"):
        b.add_gold_transform(name="g", transform=fn, rules={}, table_name=table, schema="x")


def test_invalid_schema_name_rejected_before_spark() -> None:
    b = PipelineBuilder(spark=NoSpark(), schema="shop")  # type: ignore[arg-type]
    with pytest.raises(StepError, match="bronze step 'e': invalid schema name"):
        b.with_bronze_rules(name="e", rules={}, schema="raw;DROP")
    with pytest.raises(StepError, match=r"table_name 'other\.t' is qualified") as err:
        b.with_bronze_rules(name="e", rules={}).add_gold_transform(
            name="g", transform=fn, rules={}, table_name="other.t", source_silvers=[])
    assert "schema='other'" in str(err.value)


def test_missing_schema_suggests_create(b: PipelineBuilder) -> None:
    with pytest.raises(StepError) as err:
        b.add_gold_transform(name="daily", transform=fn, rules={}, table_name="daily",
                             schema="analytics_missing_xyz")
    assert "gold step 'daily': schema 'analytics_missing_xyz' does not exist" in str(err.value)
    assert "CREATE SCHEMA IF NOT EXISTS analytics_missing_xyz" in str(err.value)
    assert "daily" not in b.gold_steps  # a rejected step is not recorded


def test_transform_not_callable(b: PipelineBuilder) -> None:
    with pytest.raises(StepError, match="silver step 's': transform must be a function, got str"):
        b.add_silver_transform(name="s", transform="fn", rules={}, table_name="s")  # type: ignore[arg-type]
    with pytest.raises(StepError, match="gold step 'g': transform must be a function"):
        b.add_gold_transform(name="g", transform=fn(None, None, {}), rules={},  # type: ignore[arg-type]
                             table_name="g")


def test_rule_errors_name_step_column_and_item(b: PipelineBuilder) -> None:
    with pytest.raises(ValidationError, match="silver step 's': rules is None"):
        b.add_silver_transform(name="s", transform=fn, rules=None, table_name="s")  # type: ignore[arg-type]
    with pytest.raises(InvalidRuleError) as err:
        b.add_silver_transform(name="s", transform=fn, rules={"amount": [["bigger", 0]]},
                               table_name="s")
    assert "silver step 's': rule ['bigger', 0] of column 'amount': unknown operator" in str(err.value)
    assert isinstance(err.value, StepError) and err.value.step == "s"
    with pytest.raises(InvalidRuleError, match=r"rule 'not_nul' of column 'id'.*\n.*'not_null'"):
        b.with_bronze_rules(name="b2", rules={"id": ["not_nul"]})
    with pytest.raises(InvalidRuleError, match="unsafe or invalid SQL rule"):
        b.add_gold_transform(name="g", transform=fn, rules={"x": ["x > 0; DROP TABLE t"]},
                             table_name="g")
    with pytest.raises(InvalidRuleError, match="expected a list of rules, got int"):
        b.with_bronze_rules(name="b3", rules={"id": 5})
    with pytest.raises(InvalidRuleError, match="rules must be a dict"):
        b.with_bronze_rules(name="b4", rules=["not_null"])  # type: ignore[arg-type]


def test_write_mode_errors(b: PipelineBuilder) -> None:
    with pytest.raises(StepError, match="silver step 'm': write_mode 'merge' needs merge_keys"):
        b.add_silver_transform(name="m", transform=fn, rules={}, table_name="m", write_mode="merge")
    with pytest.raises(StepError, match="unknown write_mode 'upsert'"):
        b.add_silver_transform(name="m", transform=fn, rules={}, table_name="m", write_mode="upsert")
    with pytest.raises(StepError, match="merge_keys only apply with write_mode='merge'"):
        b.add_silver_transform(name="m", transform=fn, rules={}, table_name="m", merge_keys=["id"])


def test_two_steps_cannot_write_one_table(b: PipelineBuilder) -> None:
    """The catalog compares names case-insensitively, so does the check."""
    with pytest.raises(StepError, match=r"gold step 'totals': table \w+\.CLEAN is already the table "
                       r"of the silver step 'clean_events'") as err:
        b.add_gold_transform(name="totals", transform=lambda spark, silvers: silvers["clean_events"],
                             rules={}, table_name="CLEAN")
    assert err.value.suggestions == ("give this step its own table, e.g. table_name='totals'",)
    with pytest.raises(StepError, match="already the table of the silver step 'clean_events'"):
        b.with_silver_rules(name="old", table_name="clean", rules={})
    assert [s.name for s in b.steps] == ["events", "clean_events"]


def test_a_silver_step_cannot_write_its_bronze_input(b: PipelineBuilder) -> None:
    with pytest.raises(StepError, match=r"silver step 'again': table \w+\.events is the table its "
                       r"bronze step 'events' reads"):
        b.add_silver_transform(name="again", transform=fn, rules={}, table_name="events")
