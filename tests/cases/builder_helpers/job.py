r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 53534ff0dd206b4ab35571798d81dcc3d92bbcdb33dcb48830363be308a26901).
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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:4
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:5
from pyspark.sql import functions as F


# pipeline.py:12
def positive_amounts(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.filter(F.col("amount") > 0)


# pipeline.py:16
def net_amount(spark: SparkSession, silvers: dict) -> DataFrame:
    orders = silvers["clean_orders"].agg(F.sum("amount").alias("amount"))
    refunds = silvers["clean_refunds"].agg(F.sum("amount").alias("refunds"))
    return orders.crossJoin(refunds).withColumn(
        "net", F.col("amount") - F.coalesce("refunds", F.lit(0.0))
    )


def orders_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'orders' (pipeline.py:24)."""
    return (
        Rule("order_id", "not_null", F.col("order_id").isNotNull()),
        Rule("amount", "not_null", F.col("amount").isNotNull()),
    )


# pipeline.py:24
@step("bronze", "orders", table="helpers.orders")
def bronze_orders(run: StepRun) -> DataFrame:
    """Reads helpers.orders, or the input bound with --source orders=....

    Below 60% valid rows it fails; then clean_orders and net_amount are
    cancelled.
    """
    df = run.read("helpers.orders")
    checked = run.validate(df, orders_rules(), keep=("order_id", "amount"))
    run.gate(checked, min_rate=60.0)
    return checked.valid


def clean_orders_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_orders' (pipeline.py:26)."""
    return (
        Rule("order_id", "not_null", F.col("order_id").isNotNull()),
        Rule("amount", None, F.col("amount") > 0.0),
    )


# pipeline.py:26
@step(
    "silver",
    "clean_orders",
    table="helpers.clean_orders",
    after=("orders",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_clean_orders(run: StepRun) -> DataFrame:
    """orders -> helpers.clean_orders: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 60% valid rows it fails and writes nothing; then net_amount is
    cancelled.
    """
    orders = run.output("orders")
    priors = run.declared({}, argument="depends_on")
    df = positive_amounts(run.spark, orders, priors)
    checked = run.validate(df, clean_orders_rules(), keep=("order_id", "amount"))
    run.gate(checked, min_rate=60.0)
    run.publish(checked)
    return checked.valid


def refunds_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'refunds' (pipeline.py:24)."""
    return (
        Rule("refund_id", "not_null", F.col("refund_id").isNotNull()),
        Rule("amount", "not_null", F.col("amount").isNotNull()),
    )


# pipeline.py:24
@step("bronze", "refunds", table="helpers.refunds")
def bronze_refunds(run: StepRun) -> DataFrame:
    """Reads helpers.refunds, or the input bound with --source refunds=....

    Below 60% valid rows it fails; then clean_refunds and net_amount are
    cancelled.
    """
    df = run.read("helpers.refunds")
    checked = run.validate(df, refunds_rules(), keep=("refund_id", "amount"))
    run.gate(checked, min_rate=60.0)
    return checked.valid


def clean_refunds_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_refunds' (pipeline.py:26)."""
    return (
        Rule("refund_id", "not_null", F.col("refund_id").isNotNull()),
        Rule("amount", None, F.col("amount") > 0.0),
    )


# pipeline.py:26
@step(
    "silver",
    "clean_refunds",
    table="helpers.clean_refunds",
    after=("refunds",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_clean_refunds(run: StepRun) -> DataFrame:
    """refunds -> helpers.clean_refunds: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 60% valid rows it fails and writes nothing; then net_amount is
    cancelled.
    """
    refunds = run.output("refunds")
    priors = run.declared({}, argument="depends_on")
    df = positive_amounts(run.spark, refunds, priors)
    checked = run.validate(df, clean_refunds_rules(), keep=("refund_id", "amount"))
    run.gate(checked, min_rate=60.0)
    run.publish(checked)
    return checked.valid


def net_amount_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'net_amount' (pipeline.py:36)."""
    return (Rule("net", "not_null", F.col("net").isNotNull()),)


# pipeline.py:36
@step(
    "gold",
    "net_amount",
    table="helpers.net_amount",
    after=("clean_orders", "clean_refunds"),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_net_amount(run: StepRun) -> DataFrame:
    """clean_orders and clean_refunds -> helpers.net_amount: recomputed from the
    whole silver tables and replaced in every run.

    It is never skipped: clean_orders replaces its table (or merges into it) in
    every run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {
            "clean_orders": run.whole("clean_orders", "helpers.clean_orders"),
            "clean_refunds": run.whole("clean_refunds", "helpers.clean_refunds"),
        },
        argument="source_silvers",
    )
    df = net_amount(run.spark, silvers)
    checked = run.validate(df, net_amount_rules(), keep=("net",))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="helpers.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="53534ff0dd206b4ab35571798d81dcc3d92bbcdb33dcb48830363be308a26901",
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
            (bronze_orders, bronze_refunds),  # stage 1: side by side
            (silver_clean_orders, silver_clean_refunds),  # stage 2: side by side
            (gold_net_amount,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
