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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:11
def clean_orders(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.withColumn("amount_cents", (F.col("amount") * 100).cast("long"))


# pipeline.py:15
def daily_revenue(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["clean_orders"]
        .groupBy(F.to_date("ts").alias("day"))
        .agg(F.sum("amount").alias("revenue"), F.count("*").alias("orders"))
    )


def orders_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'orders' (pipeline.py:25)."""
    return (
        Rule("order_id", "not_null", F.col("order_id").isNotNull()),
        Rule("amount", "non_negative", F.col("amount") >= 0),
        Rule("ts", "not_null", F.col("ts").isNotNull()),
    )


# pipeline.py:25
@step("bronze", "orders", table="sf_golden_shop.orders", watermark="ts")
def bronze_orders(run: StepRun) -> DataFrame:
    """Reads sf_golden_shop.orders, or the input bound with --source orders=...; in
    incremental runs only the rows whose ts is newer than what
    sf_golden_shop.clean_orders last covered.

    Below 95% valid rows it fails; then clean_orders and daily_revenue are
    cancelled.
    """
    df = run.read("sf_golden_shop.orders")
    if run.incremental:
        since = run.oldest_watermark(("sf_golden_shop.clean_orders", "ts"))
        df = run.newer_than(df, "ts", since)
    checked = run.validate(
        df, orders_rules(), keep=("order_id", "amount", "ts"), watermark="ts"
    )
    run.gate(checked, min_rate=95.0)
    return checked.valid


def clean_orders_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_orders' (pipeline.py:30)."""
    return (
        Rule("order_id", "not_null", F.col("order_id").isNotNull()),
        Rule("amount", "gt(0)", F.col("amount") > 0),
        Rule("ts", "not_null", F.col("ts").isNotNull()),
    )


# pipeline.py:30
@step(
    "silver",
    "clean_orders",
    table="sf_golden_shop.clean_orders",
    after=("orders",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_clean_orders(run: StepRun) -> DataFrame:
    """orders -> sf_golden_shop.clean_orders: in incremental runs it appends the
    rows newer than its watermark (ts); otherwise it replaces the table.

    In incremental runs it is skipped when orders passed on no new rows.

    Below 98% valid rows it fails and writes nothing; then daily_revenue is
    cancelled.
    """
    since = (
        run.watermark("sf_golden_shop.clean_orders", "ts") if run.incremental else None
    )
    if since is not None and run.no_new_rows("orders"):
        return run.skip("no new rows in orders")
    orders = run.newer_than(run.output("orders"), "ts", since)
    priors = run.declared({}, argument="depends_on")
    df = clean_orders(run.spark, orders, priors)
    checked = run.validate(
        df,
        clean_orders_rules(),
        keep=("order_id", "amount", "ts", "amount_cents"),
        watermark="ts",
    )
    run.gate(checked, min_rate=98.0)
    run.publish(checked, covered=run.covered("orders", since))
    return checked.valid


def daily_revenue_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'daily_revenue' (pipeline.py:38)."""
    return (
        Rule("day", "not_null", F.col("day").isNotNull()),
        Rule("revenue", "non_negative", F.col("revenue") >= 0),
    )


# pipeline.py:38
@step(
    "gold",
    "daily_revenue",
    table="sf_golden_shop.daily_revenue",
    after=("clean_orders",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_daily_revenue(run: StepRun) -> DataFrame:
    """clean_orders -> sf_golden_shop.daily_revenue: recomputed from the whole
    silver tables and replaced in every run.

    In incremental runs it is skipped when neither clean_orders nor its code
    changed since its last run; otherwise it recomputes in full: its groupBy at
    pipeline.py:17 does not name its key columns literally.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("sf_golden_shop.clean_orders", code="82cbd6c2d2cb"):
        return run.skip("clean_orders did not change since its last run")
    silvers = run.declared(
        {"clean_orders": run.whole("clean_orders", "sf_golden_shop.clean_orders")},
        argument="source_silvers",
    )
    df = daily_revenue(run.spark, silvers)
    checked = run.validate(df, daily_revenue_rules(), keep=("day", "revenue", "orders"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="golden_shop",
    log_table="sf_golden_shop.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="2669cd6f12da94791fb1288144a86e2bf8080d8f0101f1c53088d612d848160b",
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
            (bronze_orders,),  # stage 1
            (silver_clean_orders,),  # stage 2
            (gold_daily_revenue,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
