r"""Pipeline 'golden_shop': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 2669cd6f12da94791fb1288144a86e2bf8080d8f0101f1c53088d612d848160b).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 bronze, 1 silver, 1 gold in 3 stages.

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
def clean_orders(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("amount_cents", (F.col("amount") * 100).cast("long"))


# pipeline.py:15
def daily_revenue(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["clean_orders"]
        .groupBy(F.to_date("ts").alias("day"))
        .agg(F.sum("amount").alias("revenue"), F.count("*").alias("orders"))
    )


def bronze_orders() -> StepSpec:
    """Bronze step 'orders' (pipeline.py:25): reads sf_golden_shop.orders unless --source binds it."""
    return StepSpec(
        name="orders",
        layer="bronze",
        threshold=95.0,
        table="sf_golden_shop.orders",
        incremental_col="ts",
        keep_columns=("order_id", "amount", "ts"),
        rules=(
            Rule("order_id", "not_null", F.col("order_id").isNotNull()),
            Rule("amount", "non_negative", F.col("amount") >= 0),
            Rule("ts", "not_null", F.col("ts").isNotNull()),
        ),
    )


def silver_clean_orders() -> StepSpec:
    """Silver step 'clean_orders' (pipeline.py:30): writes sf_golden_shop.clean_orders."""
    return StepSpec(
        name="clean_orders",
        layer="silver",
        threshold=98.0,
        table="sf_golden_shop.clean_orders",
        source_bronze="orders",
        watermark_col="ts",
        keep_columns=("order_id", "amount", "ts", "amount_cents"),
        transform=clean_orders,
        rules=(
            Rule("order_id", "not_null", F.col("order_id").isNotNull()),
            Rule("amount", "gt(0)", F.col("amount") > 0),
            Rule("ts", "not_null", F.col("ts").isNotNull()),
        ),
    )


def gold_daily_revenue() -> StepSpec:
    """Gold step 'daily_revenue' (pipeline.py:38): writes sf_golden_shop.daily_revenue."""
    return StepSpec(
        name="daily_revenue",
        layer="gold",
        threshold=99.0,
        table="sf_golden_shop.daily_revenue",
        source_silvers=("clean_orders",),
        keep_columns=("day", "revenue", "orders"),
        transform=daily_revenue,
        rules=(
            Rule("day", "not_null", F.col("day").isNotNull()),
            Rule("revenue", "non_negative", F.col("revenue") >= 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="golden_shop",
    source_file="pipeline.py",
    source_hash="2669cd6f12da94791fb1288144a86e2bf8080d8f0101f1c53088d612d848160b",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="sf_golden_shop.pipeline_logs",
    steps=(
        PlannedStep(1, "orders", "bronze", "sf_golden_shop.orders", incremental=True),
        PlannedStep(
            2,
            "clean_orders",
            "silver",
            "sf_golden_shop.clean_orders",
            upstream=("orders",),
            incremental=True,
        ),
        PlannedStep(
            3, "daily_revenue", "gold", "sf_golden_shop.daily_revenue", upstream=("clean_orders",)
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_orders,),  # stage 1
        (silver_clean_orders,),  # stage 2
        (gold_daily_revenue,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
