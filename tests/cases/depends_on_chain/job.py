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

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:11
def touches(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("day", F.to_date("ts"))


# pipeline.py:15
def spend(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("day", F.to_date("ts"))


# pipeline.py:19
def attributed(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return prior_silvers["touches"].join(prior_silvers["spend"], ["channel", "day"], "left")


# pipeline.py:23
def channel_roi(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["attributed"].groupBy("channel").agg(F.sum("cost").alias("cost"))


# pipeline.py:27
def daily_spend(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["spend"].groupBy("day").agg(F.sum("cost").alias("cost"))


# pipeline.py:31
def reach(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["touches"].agg(F.countDistinct("user_id").alias("users"))


def bronze_raw_touches() -> StepSpec:
    """Bronze step 'raw_touches' (pipeline.py:37): reads mkt.raw_touches unless --source binds it."""
    return StepSpec(
        name="raw_touches",
        layer="bronze",
        threshold=95.0,
        table="mkt.raw_touches",
        keep_columns=("user_id", "ts"),
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("ts", "not_null", F.col("ts").isNotNull()),
        ),
    )


def bronze_raw_spend() -> StepSpec:
    """Bronze step 'raw_spend' (pipeline.py:38): reads mkt.raw_spend unless --source binds it."""
    return StepSpec(
        name="raw_spend",
        layer="bronze",
        threshold=95.0,
        table="mkt.raw_spend",
        keep_columns=("channel", "cost"),
        rules=(
            Rule("channel", "not_null", F.col("channel").isNotNull()),
            Rule("cost", "non_negative", F.col("cost") >= 0),
        ),
    )


def silver_touches() -> StepSpec:
    """Silver step 'touches' (pipeline.py:39): writes mkt.touches."""
    return StepSpec(
        name="touches",
        layer="silver",
        threshold=98.0,
        table="mkt.touches",
        source_bronze="raw_touches",
        keep_columns=("user_id", "day", "channel"),
        transform=touches,
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("day", "not_null", F.col("day").isNotNull()),
        ),
    )


def silver_spend() -> StepSpec:
    """Silver step 'spend' (pipeline.py:46): writes mkt.spend."""
    return StepSpec(
        name="spend",
        layer="silver",
        threshold=98.0,
        table="mkt.spend",
        source_bronze="raw_spend",
        keep_columns=("channel", "day", "cost"),
        transform=spend,
        rules=(
            Rule("channel", "not_null", F.col("channel").isNotNull()),
            Rule("day", "not_null", F.col("day").isNotNull()),
        ),
    )


def silver_attributed() -> StepSpec:
    """Silver step 'attributed' (pipeline.py:53): writes mkt.attributed."""
    return StepSpec(
        name="attributed",
        layer="silver",
        threshold=98.0,
        table="mkt.attributed",
        source_bronze="raw_touches",
        depends_on=("touches", "spend"),
        keep_columns=("channel", "day", "cost"),
        transform=attributed,
        rules=(Rule("channel", "not_null", F.col("channel").isNotNull()),),
    )


def gold_channel_roi() -> StepSpec:
    """Gold step 'channel_roi' (pipeline.py:61): writes mkt.channel_roi."""
    return StepSpec(
        name="channel_roi",
        layer="gold",
        threshold=99.0,
        table="mkt.channel_roi",
        source_silvers=("attributed",),
        keep_columns=("channel", "cost"),
        transform=channel_roi,
        rules=(Rule("channel", "not_null", F.col("channel").isNotNull()),),
    )


def gold_daily_spend() -> StepSpec:
    """Gold step 'daily_spend' (pipeline.py:68): writes mkt.daily_spend."""
    return StepSpec(
        name="daily_spend",
        layer="gold",
        threshold=99.0,
        table="mkt.daily_spend",
        source_silvers=("spend",),
        keep_columns=("day", "cost"),
        transform=daily_spend,
        rules=(
            Rule("day", "not_null", F.col("day").isNotNull()),
            Rule("cost", "non_negative", F.col("cost") >= 0),
        ),
    )


def gold_reach() -> StepSpec:
    """Gold step 'reach' (pipeline.py:75): writes mkt.reach."""
    return StepSpec(
        name="reach",
        layer="gold",
        threshold=99.0,
        table="mkt.reach",
        source_silvers=("touches",),
        keep_columns=("users",),
        transform=reach,
        rules=(Rule("users", "non_negative", F.col("users") >= 0),),
    )


JOB = JobDefinition(
    pipeline_name="marketing_bi",
    source_file="pipeline.py",
    source_hash="7514d8a22fdaedbac18bf0a09d9c45a6c3f338c4a88b087a33e1aa0608ee1ca9",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="mkt.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_spend", "bronze", "mkt.raw_spend"),
        PlannedStep(1, "raw_touches", "bronze", "mkt.raw_touches"),
        PlannedStep(2, "spend", "silver", "mkt.spend", upstream=("raw_spend",)),
        PlannedStep(2, "touches", "silver", "mkt.touches", upstream=("raw_touches",)),
        PlannedStep(
            3,
            "attributed",
            "silver",
            "mkt.attributed",
            upstream=("raw_touches", "touches", "spend"),
        ),
        PlannedStep(4, "channel_roi", "gold", "mkt.channel_roi", upstream=("attributed",)),
        PlannedStep(4, "daily_spend", "gold", "mkt.daily_spend", upstream=("spend",)),
        PlannedStep(4, "reach", "gold", "mkt.reach", upstream=("touches",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_spend, bronze_raw_touches),  # stage 1, parallel
        (silver_spend, silver_touches),  # stage 2, parallel
        (silver_attributed,),  # stage 3
        (gold_channel_roi, gold_daily_spend, gold_reach),  # stage 4, parallel
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
