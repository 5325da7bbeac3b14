r"""Pipeline 'marketing_bi': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 7514d8a22fdaedbac18bf0a09d9c45a6c3f338c4a88b087a33e1aa0608ee1ca9).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 2 bronze, 3 silver, 3 gold in 4 stages.

Run it with:

    spark-submit \
      --packages io.delta:delta-spark_4.1_2.13:4.4.0 \
      --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
      --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
      --conf spark.sql.adaptive.optimizer.excludedRules=org.apache.spark.sql.execution.adaptive.AQEPropagateEmptyRelation \
      --conf spark.scheduler.mode=FAIR \
      --py-files sparkforge_runtime.zip \
      job.py --mode incremental

Modes: initial | incremental (default) | full-refresh | validation-only.
Bind a bronze input with --source NAME=TABLE_OR_PATH; `python job.py --help` lists every option.
"""

from __future__ import annotations

import sys

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:11
def touches(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.withColumn("day", F.to_date("ts"))


# pipeline.py:15
def spend(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("day", F.to_date("ts"))


# pipeline.py:19
def attributed(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return prior_silvers["touches"].join(
        prior_silvers["spend"], ["channel", "day"], "left"
    )


# pipeline.py:23
def channel_roi(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["attributed"].groupBy("channel").agg(F.sum("cost").alias("cost"))


# pipeline.py:27
def daily_spend(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["spend"].groupBy("day").agg(F.sum("cost").alias("cost"))


# pipeline.py:31
def reach(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["touches"].agg(F.countDistinct("user_id").alias("users"))


def raw_touches_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_touches' (pipeline.py:37)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("ts", "not_null", F.col("ts").isNotNull()),
    )


# pipeline.py:37
@step("bronze", "raw_touches", table="mkt.raw_touches")
def bronze_raw_touches(run: StepRun) -> DataFrame:
    """Reads mkt.raw_touches, or the input bound with --source raw_touches=....

    Below 95% valid rows it fails; then touches, attributed, channel_roi and
    reach are cancelled.
    """
    df = run.read("mkt.raw_touches")
    checked = run.validate(df, raw_touches_rules(), keep=("user_id", "ts"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def raw_spend_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_spend' (pipeline.py:38)."""
    return (
        Rule("channel", "not_null", F.col("channel").isNotNull()),
        Rule("cost", "non_negative", F.col("cost") >= 0),
    )


# pipeline.py:38
@step("bronze", "raw_spend", table="mkt.raw_spend")
def bronze_raw_spend(run: StepRun) -> DataFrame:
    """Reads mkt.raw_spend, or the input bound with --source raw_spend=....

    Below 95% valid rows it fails; then spend, attributed, channel_roi and
    daily_spend are cancelled.
    """
    df = run.read("mkt.raw_spend")
    checked = run.validate(df, raw_spend_rules(), keep=("channel", "cost"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def touches_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'touches' (pipeline.py:39)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("day", "not_null", F.col("day").isNotNull()),
    )


# pipeline.py:39
@step(
    "silver",
    "touches",
    table="mkt.touches",
    after=("raw_touches",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_touches(run: StepRun) -> DataFrame:
    """raw_touches -> mkt.touches: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then attributed,
    channel_roi and reach are cancelled.
    """
    raw_touches = run.output("raw_touches")
    priors = run.declared({}, argument="depends_on")
    df = touches(run.spark, raw_touches, priors)
    checked = run.validate(df, touches_rules(), keep=("user_id", "day", "channel"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def spend_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'spend' (pipeline.py:46)."""
    return (
        Rule("channel", "not_null", F.col("channel").isNotNull()),
        Rule("day", "not_null", F.col("day").isNotNull()),
    )


# pipeline.py:46
@step(
    "silver",
    "spend",
    table="mkt.spend",
    after=("raw_spend",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_spend(run: StepRun) -> DataFrame:
    """raw_spend -> mkt.spend: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then attributed,
    channel_roi and daily_spend are cancelled.
    """
    raw_spend = run.output("raw_spend")
    priors = run.declared({}, argument="depends_on")
    df = spend(run.spark, raw_spend, priors)
    checked = run.validate(df, spend_rules(), keep=("channel", "day", "cost"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def attributed_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'attributed' (pipeline.py:53)."""
    return (Rule("channel", "not_null", F.col("channel").isNotNull()),)


# pipeline.py:53
@step(
    "silver",
    "attributed",
    table="mkt.attributed",
    after=("raw_touches", "touches", "spend"),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_attributed(run: StepRun) -> DataFrame:
    """raw_touches, touches and spend -> mkt.attributed: recomputed and replaced in
    every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then channel_roi is
    cancelled.
    """
    raw_touches = run.output("raw_touches")
    priors = run.declared(
        {"touches": run.output("touches"), "spend": run.output("spend")},
        argument="depends_on",
    )
    df = attributed(run.spark, raw_touches, priors)
    checked = run.validate(df, attributed_rules(), keep=("channel", "day", "cost"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def channel_roi_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'channel_roi' (pipeline.py:61)."""
    return (Rule("channel", "not_null", F.col("channel").isNotNull()),)


# pipeline.py:61
@step(
    "gold",
    "channel_roi",
    table="mkt.channel_roi",
    after=("attributed",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_channel_roi(run: StepRun) -> DataFrame:
    """attributed -> mkt.channel_roi: recomputed from the whole silver tables and
    replaced in every run.

    It is never skipped: attributed replaces its table (or merges into it) in
    every run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"attributed": run.whole("attributed", "mkt.attributed")},
        argument="source_silvers",
    )
    df = channel_roi(run.spark, silvers)
    checked = run.validate(df, channel_roi_rules(), keep=("channel", "cost"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


def daily_spend_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'daily_spend' (pipeline.py:68)."""
    return (
        Rule("day", "not_null", F.col("day").isNotNull()),
        Rule("cost", "non_negative", F.col("cost") >= 0),
    )


# pipeline.py:68
@step(
    "gold",
    "daily_spend",
    table="mkt.daily_spend",
    after=("spend",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_daily_spend(run: StepRun) -> DataFrame:
    """spend -> mkt.daily_spend: recomputed from the whole silver tables and
    replaced in every run.

    It is never skipped: spend replaces its table (or merges into it) in every
    run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"spend": run.whole("spend", "mkt.spend")}, argument="source_silvers"
    )
    df = daily_spend(run.spark, silvers)
    checked = run.validate(df, daily_spend_rules(), keep=("day", "cost"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


def reach_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'reach' (pipeline.py:75)."""
    return (Rule("users", "non_negative", F.col("users") >= 0),)


# pipeline.py:75
@step(
    "gold",
    "reach",
    table="mkt.reach",
    after=("touches",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_reach(run: StepRun) -> DataFrame:
    """touches -> mkt.reach: recomputed from the whole silver tables and replaced
    in every run.

    It is never skipped: touches replaces its table (or merges into it) in every
    run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"touches": run.whole("touches", "mkt.touches")}, argument="source_silvers"
    )
    df = reach(run.spark, silvers)
    checked = run.validate(df, reach_rules(), keep=("users",))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="marketing_bi",
    log_table="mkt.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="7514d8a22fdaedbac18bf0a09d9c45a6c3f338c4a88b087a33e1aa0608ee1ca9",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options.

    Steps run stage by stage; a failed step writes nothing and cancels the steps
    that need it (its docstring names them), the others still run. Exit code:
    0 every step completed, 1 a step failed, 2 bad arguments or environment.
    """
    plan = Plan(
        stages=(
            (bronze_raw_spend, bronze_raw_touches),  # stage 1: side by side
            (silver_spend, silver_touches),  # stage 2: side by side
            (silver_attributed,),  # stage 3
            (gold_channel_roi, gold_daily_spend, gold_reach),  # stage 4: side by side
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
