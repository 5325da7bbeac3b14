"""Per-rule actions on real Spark + Delta, interpreted and compiled: warn keeps the row, drop is the
threshold's business, fail fails the step on any failing row; at and around the threshold.

The same builder file runs through `PipelineRunner` and, compiled by `compile_source`, as a job whose
`main()` runs in this process (its `build_session` returns the test session).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from sparkforge import rule
from sparkforge.compiler.api import CompileOptions, compile_source
from sparkforge.exceptions import InvalidRuleError
from sparkforge.rules import parse_rules, to_runtime_rules

from tests.support.jobs import load_module

PIPELINE = '''
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder, rule

SCHEMA = {schema!r}


def keep(spark, bronze_df, prior_silvers):
    return bronze_df


def build(spark):
    return (
        PipelineBuilder(spark=spark, schema=SCHEMA, min_bronze_rate=0.0, min_silver_rate={threshold!r})
        .with_bronze_rules(name="raw", rules={{"id": ["not_null"], "qty": [], "code": []}})
        .add_silver_transform(
            name="clean", source_bronze="raw", transform=keep, table_name="clean",
            rules={{
                "id": [rule("not_null", action="fail")],
                "qty": [rule("positive", action="warn"), ["lt", 100]],
                "code": [rule(F.col("code").isNotNull(), action={action!r}, name="has_code")],
            }},
        )
    )
'''
# 10 rows: two with qty <= 0 (a warn rule), one without a code.
ROWS = [(i, -1 if i in (2, 3) else i + 1, None if i == 7 else f"c{i}") for i in range(10)]

CASES = [
    # code action, silver threshold, success, rows written, words of the error
    ("warn", 100.0, True, 10, None),
    ("drop", 90.0, True, 9, None),  # 90.00% valid, threshold 90: equal passes
    ("drop", 90.01, False, 0, "validation 90.00% below required 90.01%"),
    ("fail", 0.0, False, 0, "rule 'code:has_code' failed 1 of 10 rows and its action is 'fail'"),
]


def _outcome(spark: SparkSession, schema: str, engine: str, tmp: Path, action: str, threshold: float) -> Any:
    text = PIPELINE.format(schema=schema, threshold=threshold, action=action)
    source = tmp / "pipeline.py"
    source.write_text(text)
    df = spark.createDataFrame(ROWS, "id int, qty int, code string")
    if engine == "interpreted":
        result = load_module(source).build(spark).to_pipeline().initial_load(bronze_sources={"raw": df})
        clean = result.step_results["clean"]
        return result.success, clean.rule_failures, clean.error_message
    compiled = compile_source(text, "pipeline.py", CompileOptions())
    assert compiled.source is not None, compiled.diagnostics
    job = tmp / "job.py"
    job.write_text(compiled.source)
    df.write.mode("overwrite").parquet(str(tmp / "raw"))
    code = load_module(job).main(["--mode", "initial", "--source", f"raw=parquet:{tmp / 'raw'}"])
    rows = spark.table(f"{schema}.pipeline_logs_rules").filter("step_name = 'clean'").collect()
    log = spark.table(f"{schema}.pipeline_logs").filter("step_name = 'clean'").first()
    assert log is not None
    return code == 0, {r["rule"]: r["failed_rows"] for r in rows}, log["error_message"]


@pytest.mark.parametrize("engine", ["interpreted", "compiled"])
@pytest.mark.parametrize(("action", "threshold", "success", "written", "error"), CASES)
def test_actions(
    spark: SparkSession, schema: str, tmp_path: Path, engine: str,
    action: str, threshold: float, success: bool, written: int, error: str | None,
) -> None:  # fmt: skip
    ok, failures, message = _outcome(spark, schema, engine, tmp_path, action, threshold)
    assert ok is success, message
    expected = {"id:not_null": 0, "qty:positive": 2, "qty:lt(100)": 0, "code:has_code": 1}
    assert failures == expected
    exists = spark.catalog.tableExists(f"{schema}.clean")
    assert (spark.table(f"{schema}.clean").count() if exists else 0) == written
    if error is not None:
        assert message is not None and error in message


def test_warn_rows_stay_valid_and_labels_use_the_name() -> None:
    specs = parse_rules({"qty": [rule("positive", action="warn", name="pos")], "id": ["not_null"]})
    assert [(s.label, s.action) for s in specs] == [("qty:pos", "warn"), ("id:not_null", "drop")]
    rules = to_runtime_rules(specs)
    assert [(r.label, r.action) for r in rules] == [("qty:pos", "warn"), ("id:not_null", "drop")]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: rule("positive", action="warning"), "unknown rule action 'warning'"),
        (lambda: rule("positive", name="a b"), "rule name 'a b' is not a name"),
        (lambda: rule(rule("positive")), "a rule takes one action and one name"),
    ],
)
def test_builder_errors(call: Any, words: str) -> None:
    with pytest.raises(InvalidRuleError, match=words):
        call()


def test_builder_rejects_a_list_in_rule() -> None:
    with pytest.raises(InvalidRuleError, match="takes one rule item"):
        parse_rules({"qty": [rule(["not_null", "positive"], action="warn")]}, step="s", layer="bronze")
