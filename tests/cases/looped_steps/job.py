r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 2a57dbdb8c28b6493586e523db6f06e7594a4ef7524536d4c144d31e38ce2cf0).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 2 bronze, 2 silver, 1 gold in 3 stages.

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

# pipeline.py:6
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:7
from pyspark.sql import functions as F


# pipeline.py:26
def dedupe(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates()


# pipeline.py:30
def net_amount(spark: SparkSession, silvers: dict) -> DataFrame:
    orders = silvers["clean_orders"].agg(F.sum("amount").alias("ordered"))
    refunds = silvers["clean_refunds"].agg(F.sum("amount").alias("refunded"))
    return orders.crossJoin(refunds).select((F.col("ordered") - F.col("refunded")).alias("net"))


def bronze_orders() -> StepSpec:
    """Bronze step 'orders' (pipeline.py:38): reads sf_looped.orders unless --source binds it."""
    return StepSpec(
        name="orders",
        layer="bronze",
        threshold=50.0,
        table="sf_looped.orders",
        keep_columns=("order_id", "amount"),
        rules=(
            Rule("order_id", "not_null", F.col("order_id").isNotNull()),
            Rule("amount", "gte(0)", F.col("amount") >= 0),
        ),
    )


def silver_clean_orders() -> StepSpec:
    """Silver step 'clean_orders' (pipeline.py:39): writes sf_looped.clean_orders."""
    return StepSpec(
        name="clean_orders",
        layer="silver",
        threshold=50.0,
        table="sf_looped.clean_orders",
        source_bronze="orders",
        keep_columns=("order_id", "amount"),
        transform=dedupe,
        rules=(
            Rule("order_id", "not_null", F.col("order_id").isNotNull()),
            Rule("amount", None, F.col("amount") < 10_000),
        ),
    )


def bronze_refunds() -> StepSpec:
    """Bronze step 'refunds' (pipeline.py:38): reads sf_looped.refunds unless --source binds it."""
    return StepSpec(
        name="refunds",
        layer="bronze",
        threshold=50.0,
        table="sf_looped.refunds",
        keep_columns=("refund_id", "amount"),
        rules=(
            Rule("refund_id", "not_null", F.col("refund_id").isNotNull()),
            Rule("amount", "gte(0)", F.col("amount") >= 0),
        ),
    )


def silver_clean_refunds() -> StepSpec:
    """Silver step 'clean_refunds' (pipeline.py:39): writes sf_looped.clean_refunds."""
    return StepSpec(
        name="clean_refunds",
        layer="silver",
        threshold=50.0,
        table="sf_looped.clean_refunds",
        source_bronze="refunds",
        keep_columns=("refund_id", "amount"),
        transform=dedupe,
        rules=(
            Rule("refund_id", "not_null", F.col("refund_id").isNotNull()),
            Rule("amount", None, F.col("amount") < 10_000),
        ),
    )


def gold_net() -> StepSpec:
    """Gold step 'net' (pipeline.py:46): writes sf_looped.net_amount."""
    return StepSpec(
        name="net",
        layer="gold",
        threshold=99.0,
        table="sf_looped.net_amount",
        source_silvers=("clean_orders", "clean_refunds"),
        keep_columns=("net",),
        transform=net_amount,
        rules=(Rule("net", "not_null", F.col("net").isNotNull()),),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="2a57dbdb8c28b6493586e523db6f06e7594a4ef7524536d4c144d31e38ce2cf0",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="sf_looped.pipeline_logs",
    steps=(
        PlannedStep(1, "orders", "bronze", "sf_looped.orders"),
        PlannedStep(1, "refunds", "bronze", "sf_looped.refunds"),
        PlannedStep(2, "clean_orders", "silver", "sf_looped.clean_orders", upstream=("orders",)),
        PlannedStep(2, "clean_refunds", "silver", "sf_looped.clean_refunds", upstream=("refunds",)),
        PlannedStep(
            3, "net", "gold", "sf_looped.net_amount", upstream=("clean_orders", "clean_refunds")
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_orders, bronze_refunds),  # stage 1, parallel
        (silver_clean_orders, silver_clean_refunds),  # stage 2, parallel
        (gold_net,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
