"""The compiler's judgement of transforms: may a run skip it, may gold refresh it by groups.

No Spark: the judgement reads source text only (the builder's functions through `inspect`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import functions as F
from pyspark.sql.functions import current_date
from sparkforge.compiler.api import read_plan
from sparkforge.group_local import group_local
from sparkforge.ir import CodeBlock
from sparkforge.refresh_plan import Refresh
from sparkforge.step_plan import plan_step
from sparkforge.transform_facts import Source, skippable
from sparkforge.transform_names import function_source, names_from_code, names_from_function

SUPPORT = (
    CodeBlock("F", "from pyspark.sql import functions as F"),
    CodeBlock("functions", "from pyspark.sql import functions"),
    CodeBlock("rand", "from pyspark.sql.functions import rand as noise"),
    CodeBlock("stamp", "def stamp(df):\n    return df.withColumn('at', F.current_timestamp())"),
    CodeBlock("tidy", "def tidy(df):\n    return df.dropna()"),
)
NAMES = names_from_code(SUPPORT)


def judge(body: str) -> str:
    verdict = skippable(Source(f"def t(spark, silvers):\n    return {body}\n", "pipeline.py", 10), NAMES)
    return "ok" if verdict.ok else verdict.reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('silvers["a"].filter(F.col("x") > 1)', "ok"),
        ('tidy(silvers["a"])', "ok"),
        ('silvers["a"].withColumn("t", F.current_timestamp())',
         "calls F.current_timestamp() at pipeline.py:11, which is not deterministic"),
        ('silvers["a"].withColumn("r", functions.rand(3))', "calls functions.rand() at pipeline.py:11"),
        ('silvers["a"].withColumn("r", noise())', "calls noise() at pipeline.py:11"),
        ('silvers["a"].selectExpr("uuid() AS id")', "with SQL that is not deterministic"),
        ('silvers["a"].withColumn("id", F.monotonically_increasing_id())', "monotonically_increasing_id()"),
        ('spark.table("other.t")', "uses spark at pipeline.py:11, so it may read tables it does not declare"),
        ('silvers["a"].sparkSession.table("x")', "reaches the session through"),
        ('stamp(silvers["a"])', "calls stamp at pipeline.py:11, which calls F.current_timestamp()"),
        ('mystery(silvers["a"])', "uses mystery at pipeline.py:11, whose source the compiler cannot read"),
        ('silvers["a"].withColumn("t", F.unix_timestamp())', "reads the clock"),
    ],
)  # fmt: skip
def test_skippable(body: str, reason: str) -> None:
    assert reason in judge(body)


def group(source: str) -> str:
    proof = group_local(Source(source, "pipeline.py", 1))
    return f"ok {proof.silver} {proof.keys}" if proof.ok else proof.reason


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('lambda spark, silvers: silvers["o"].groupBy("d").agg(F.sum("a"))', "ok o ('d',)"),
        ('def g(spark, silvers):\n    df = silvers["o"].filter(F.col("a") > 0).withColumn("b", F.col("a") * 2)\n'
         '    out = df.groupBy(["k", F.col("j")]).agg(F.max("b").alias("m"))\n'
         '    return out.filter(F.col("m") > 1).withColumnRenamed("m", "top")', "ok o ('k', 'j')"),
        ('lambda spark, silvers: silvers["o"].groupBy(F.to_date("ts")).count()', "does not name its key columns"),
        ('lambda spark, silvers: silvers["o"].withColumn("k", F.lit(1)).groupBy("k").count()',
         "it writes the group key k"),
        ('lambda spark, silvers: silvers["o"].withColumn("s", F.sum("a").over(W)).groupBy("k").count()',
         "window function"),
        ('lambda spark, silvers: silvers["o"].join(silvers["c"], "k").groupBy("k").count()', "reads silvers 2 times"),
        ('lambda spark, silvers: silvers["o"].distinct().groupBy("k").count()', "calls .distinct() at pipeline.py:1, which is not a row-wise"),
        ('lambda spark, silvers: silvers["o"].groupBy("k").count().select("count")', "drops a group key"),
        ('lambda spark, silvers: silvers["o"].filter(F.col("a") > 0)', "has no groupBy"),
    ],
)  # fmt: skip
def test_group_local(source: str, expected: str) -> None:
    assert expected in group(source)


def builder_transform(spark, silvers):  # type: ignore[no-untyped-def]
    return silvers["o"].withColumn("day", current_date())


def test_the_builder_path_reads_the_function_and_its_module() -> None:
    found = function_source(builder_transform)
    assert found is not None
    text, file, line = found
    verdict = skippable(Source(text, file, line), names_from_function(builder_transform))
    assert not verdict.ok
    assert f"calls current_date() at test_transform_facts.py:{line + 1}" in verdict.reason
    assert F is not None


def test_ecommerce_steps_say_how_they_refresh() -> None:
    text = (Path(__file__).resolve().parent.parent / "examples" / "ecommerce" / "pipeline.py").read_text()
    plan, _ = read_plan(text, "pipeline.py", None)
    assert plan is not None
    refresh = {s.name: plan_step(s, plan.pipeline).refresh for s in plan.pipeline.steps}
    assert refresh["clean_orders"] == Refresh(skip_inputs=("orders",))
    assert refresh["daily_revenue"].group_keys == ("order_date",)
    assert "not the group key country" in refresh["customer_lifetime_value"].full_recompute
    assert refresh["clean_customers"].never_skips
    assert refresh["customer_orders"].never_skips.startswith("clean_customers replaces its table")
