"""Per-rule failure counts on real Spark + Delta: exact, adding up, logged, and free of extra jobs.

Each rule's count comes from the observation that already counts valid rows. These tests hold the
counts against a pure-Python reference on data with NULLs, check that for every step of every example
the rows failing at least one rule are exactly the invalid rows, read the `<log_table>_rules` table,
and count Spark jobs per job group (from `statusTracker`) with and without the per-rule counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder
from sparkforge_runtime import verbs
from sparkforge_runtime.outcome import StepOutcome
from sparkforge_runtime.report import format_progress
from sparkforge_runtime.rulecounts import RuleCount
from sparkforge_runtime.rulelog import RULES_LOG_COLUMNS
from sparkforge_runtime.rules import Rule, failed_rules, rule_labels

from tests.support.jobs import load_module
from tests.test_examples_equivalence import EXAMPLE_INPUTS

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    (1, 5, "xa", 2.0),
    (2, None, "xb", 1.0),
    (3, -1, None, 0.5),
    (None, 0, "yc", None),
    (5, 7, "xd", 9.0),
    (6, 3, None, None),
    (7, None, "z", 3.0),
]
SCHEMA = "id int, qty int, code string, price double"


def python_reference(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """What each rule of `RULES` fails, computed in Python: NULL fails every rule."""
    checks = {
        "id:not_null": lambda r: r[0] is not None,
        "qty:gt(0)": lambda r: r[1] is not None and r[1] > 0,
        "qty:not_null": lambda r: r[1] is not None,
        "code:code LIKE 'x%'": lambda r: r[2] is not None and r[2].startswith("x"),
        "price:non_negative": lambda r: r[3] is not None and r[3] >= 0,
        "price:non_negative#2": lambda r: r[3] is not None and r[3] >= 0,
    }
    return {label: sum(1 for r in rows if not check(r)) for label, check in checks.items()}


RULES = {
    "id": ["not_null"],
    "qty": [["gt", 0], "not_null"],
    "code": ["code LIKE 'x%'"],
    "price": ["non_negative", "non_negative"],  # the same rule twice: labels stay unique
}


def test_counts_are_exact_against_python(spark: SparkSession, schema: str) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    builder = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=0.0, verbose=False)
    result = builder.with_bronze_rules(name="raw", rules=RULES).to_pipeline().run_validation_only(
        bronze_sources={"raw": df}
    )
    step = result.step_results["raw"]
    assert step.rule_failures == python_reference(ROWS)
    assert step.validation_result is not None
    assert step.validation_result.failed_rule_counts == python_reference(ROWS)
    failing_any = sum(1 for r in ROWS if None in r or r[1] <= 0 or not r[2].startswith("x") or r[3] < 0)
    assert step.validation_result.invalid_rows == failing_any == 5


def test_rules_log_has_a_row_per_rule(spark: SparkSession, schema: str) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    log = f"{schema}.pipeline_logs"
    builder = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=0.0, min_silver_rate=0.0,
                              verbose=False, log_table=log)  # fmt: skip
    builder.with_bronze_rules(name="raw", rules=RULES).add_silver_transform(
        name="kept", source_bronze="raw", transform=lambda spark, df, prior: df,
        rules={"qty": ["positive"], "price": []}, table_name="kept",
    )  # fmt: skip
    result = builder.to_pipeline().initial_load(bronze_sources={"raw": df})
    assert result.success, result.error_message
    rows = spark.table(f"{log}_rules").filter(F.col("run_id") == result.run_id).collect()
    assert tuple(spark.table(f"{log}_rules").columns) == RULES_LOG_COLUMNS
    got = {(r["step_name"], r["rule"]): (r["failed_rows"], r["input_rows"], r["action"]) for r in rows}
    expected = {("raw", label): (n, 7, "drop") for label, n in python_reference(ROWS).items()}
    expected[("kept", "qty:positive")] = (0, 2, "drop")  # every surviving row passes: still logged
    assert got == expected
    assert set(spark.table(log).columns) >= {"run_id", "step_name"}  # the run log is unchanged


def test_progress_line_names_failing_rules() -> None:
    outcome = StepOutcome("raw", "bronze", 1, input_rows=10, valid_rows=7)
    outcome.rule_counts = (
        RuleCount("id:not_null", "id", "drop", 1),
        RuleCount("qty:positive", "qty", "drop", 3),
        RuleCount("code:not_empty", "code", "drop", 0),
    )
    line = format_progress(outcome)
    assert "rules failed: qty:positive 3, id:not_null 1" in line
    assert "code:not_empty" not in line


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, DataFrame, tuple[Rule, ...]]]]:
    """Every `validate` call's step, frame (after `keep`) and rules."""
    seen: list[tuple[str, DataFrame, tuple[Rule, ...]]] = []
    original = verbs.StepRun.validate

    def spy(self: verbs.StepRun, df: Any, rules: Any, **kwargs: Any) -> verbs.Checked:
        checked = original(self, df, rules, **kwargs)
        seen.append((self.info.name, checked.flagged.drop(verbs.VALID_FLAG), tuple(rules)))
        return checked

    monkeypatch.setattr(verbs.StepRun, "validate", spy)
    yield seen


@pytest.mark.parametrize("name", sorted(EXAMPLE_INPUTS))
def test_counts_add_up_for_every_example(
    spark: SparkSession, name: str, captured: list[tuple[str, DataFrame, tuple[Rule, ...]]]
) -> None:
    """For each step: rows failing at least one dropping rule == input - valid, and each rule's
    count equals the rows whose `_failed_rules` name it."""
    folder = ROOT / "examples" / name
    pipeline, data = load_module(folder / "pipeline.py"), load_module(folder / "data.py")
    schemas = _schemas(pipeline)
    for s in schemas:
        spark.sql(f"DROP SCHEMA IF EXISTS `{s}` CASCADE")
        spark.sql(f"CREATE SCHEMA `{s}`")
    try:
        inputs = EXAMPLE_INPUTS[name].initial(spark, data)
        result = pipeline.build(spark).to_pipeline().run_validation_only(bronze_sources=inputs)
        assert captured, "no step validated"
        for step, frame, rules in captured:
            outcome = result.step_results[step]
            _check_step(frame, rules, outcome)
    finally:
        for s in schemas:
            spark.sql(f"DROP SCHEMA IF EXISTS `{s}` CASCADE")


def _schemas(pipeline: Any) -> set[str]:
    return set(getattr(pipeline, "SCHEMAS", ())) or {pipeline.SCHEMA}


def _check_step(frame: DataFrame, rules: tuple[Rule, ...], outcome: Any) -> None:
    labels = rule_labels(rules)
    dropping = [r for r in rules if r.action != "warn"]
    flagged = frame.select(failed_rules(rules).alias("all"), failed_rules(dropping).alias("drop"))
    aggs = [F.count_if(F.size("drop") > 0).alias("failing")]
    aggs += [F.count_if(F.array_contains("all", r.label)).alias(f"r{i}") for i, r in enumerate(rules)]
    row = flagged.agg(*aggs).first()
    assert row is not None
    vr = outcome.validation_result
    assert row["failing"] == vr.total_rows - vr.valid_rows, outcome.step_name
    for i, (label, rule) in enumerate(zip(labels, rules, strict=True)):
        if label == rule.label:  # a repeated label is counted once per rule, the array names it once
            assert outcome.rule_failures[label] == row[f"r{i}"], (outcome.step_name, label)


def _jobs(spark: SparkSession, groups: list[str]) -> dict[str, set[int]]:
    tracker = spark.sparkContext.statusTracker()
    return {g: set(tracker.getJobIdsForGroup(g)) for g in groups}


def test_counting_adds_no_spark_job(spark: SparkSession, schema: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same run with and without per-rule counts launches the same jobs in every step's group."""
    df = spark.createDataFrame(ROWS, SCHEMA)
    builder = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=0.0, min_silver_rate=0.0,
                              verbose=False, enable_parallel_silver=False)  # fmt: skip
    builder.with_bronze_rules(name="raw", rules=RULES).add_silver_transform(
        name="kept", source_bronze="raw", transform=lambda spark, df, prior: df,
        rules={"qty": ["positive"], "price": ["non_negative"]}, table_name="kept",
    )  # fmt: skip
    runner = builder.to_pipeline()
    groups = ["sparkforge:raw", "sparkforge:kept"]

    def launched() -> dict[str, int]:
        before = _jobs(spark, groups)
        assert runner.initial_load(bronze_sources={"raw": df}).success
        after = _jobs(spark, groups)
        return {g: len(after[g] - before[g]) for g in groups}

    launched()  # the first run creates the table; compare runs that overwrite it
    with_counts = launched()
    monkeypatch.setattr(verbs, "failure_counts", lambda rules: [])
    without = launched()
    assert with_counts == without and all(with_counts.values()), (with_counts, without)
