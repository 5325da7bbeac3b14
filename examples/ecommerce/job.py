r"""Pipeline 'ecommerce': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 073a727f9905bbfb9c944eef95533f5ec4cadccce778a906c79f322e66825102).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 2 bronze, 3 silver, 2 gold in 4 stages.

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

# pipeline.py:8
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:9
from pyspark.sql import functions as F


# pipeline.py:31
def clean_orders(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return (
        bronze_df.withColumn("amount", F.round(F.col("quantity") * F.col("unit_price"), 2))
        .withColumn("order_date", F.to_date("order_ts"))
        .filter(F.col("status") != "returned")
    )


# pipeline.py:39
def clean_customers(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("email", F.lower(F.trim("email"))).dropDuplicates(["customer_id"])


# pipeline.py:43
def customer_orders(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    orders = prior_silvers["clean_orders"]
    customers = prior_silvers["clean_customers"].select("customer_id", "country")
    return orders.join(customers, "customer_id", "left").withColumn(
        "country", F.coalesce(F.col("country"), F.lit("unknown"))
    )


# pipeline.py:51
def daily_revenue(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["clean_orders"]
        .groupBy("order_date")
        .agg(F.sum("amount").alias("revenue"), F.count("*").alias("orders"))
    )


# pipeline.py:59
def customer_lifetime_value(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["customer_orders"]
        .groupBy("customer_id", "country")
        .agg(F.sum("amount").alias("lifetime_value"), F.count("*").alias("orders"))
    )


def bronze_orders() -> StepSpec:
    """Bronze step 'orders' (pipeline.py:77): reads shop.orders unless --source binds it."""
    return StepSpec(
        name="orders",
        layer="bronze",
        threshold=90.0,
        table="shop.orders",
        incremental_col="order_ts",
        keep_columns=("order_id", "customer_id", "order_ts", "quantity", "unit_price", "status"),
        rules=(
            Rule("order_id", "not_null", F.col("order_id").isNotNull()),
            Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
            Rule("order_ts", "not_null", F.col("order_ts").isNotNull()),
            Rule("quantity", "gt(0)", F.col("quantity") > 0),
            Rule("unit_price", "non_negative", F.col("unit_price") >= 0),
            Rule(
                "status",
                "in(['placed', 'shipped', 'delivered', 'returned'])",
                F.col("status").isin(["placed", "shipped", "delivered", "returned"]),
            ),
        ),
    )


def bronze_customers() -> StepSpec:
    """Bronze step 'customers' (pipeline.py:78): reads shop.customers unless --source binds it."""
    return StepSpec(
        name="customers",
        layer="bronze",
        threshold=90.0,
        table="shop.customers",
        keep_columns=("customer_id", "email", "country", "signup_date"),
        rules=(
            Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
            Rule("email", "not_empty", F.col("email").isNotNull() & (F.length(F.col("email")) > 0)),
            Rule("email", "email LIKE '%@%'", F.expr("email LIKE '%@%'")),
            Rule("country", "not_null", F.col("country").isNotNull()),
            Rule("signup_date", "not_null", F.col("signup_date").isNotNull()),
        ),
    )


def silver_clean_orders() -> StepSpec:
    """Silver step 'clean_orders' (pipeline.py:79): writes shop.clean_orders."""
    return StepSpec(
        name="clean_orders",
        layer="silver",
        threshold=95.0,
        table="shop.clean_orders",
        source_bronze="orders",
        watermark_col="order_ts",
        keep_columns=("order_id", "customer_id", "order_ts", "order_date", "amount"),
        transform=clean_orders,
        rules=(
            Rule("order_id", "not_null", F.col("order_id").isNotNull()),
            Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
            Rule("order_ts", "not_null", F.col("order_ts").isNotNull()),
            Rule("order_date", "not_null", F.col("order_date").isNotNull()),
            Rule("amount", "positive", F.col("amount") > 0),
        ),
    )


def silver_clean_customers() -> StepSpec:
    """Silver step 'clean_customers' (pipeline.py:93): writes shop.clean_customers."""
    return StepSpec(
        name="clean_customers",
        layer="silver",
        threshold=95.0,
        table="shop.clean_customers",
        source_bronze="customers",
        keep_columns=("customer_id", "country"),
        transform=clean_customers,
        rules=(
            Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
            Rule("country", "not_null", F.col("country").isNotNull()),
        ),
    )


def silver_customer_orders() -> StepSpec:
    """Silver step 'customer_orders' (pipeline.py:100): writes shop.customer_orders."""
    return StepSpec(
        name="customer_orders",
        layer="silver",
        threshold=95.0,
        table="shop.customer_orders",
        source_bronze="orders",
        depends_on=("clean_orders", "clean_customers"),
        watermark_col="order_ts",
        keep_columns=("order_id", "customer_id", "order_ts", "amount", "country"),
        transform=customer_orders,
        rules=(
            Rule("order_id", "not_null", F.col("order_id").isNotNull()),
            Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
            Rule("order_ts", "not_null", F.col("order_ts").isNotNull()),
            Rule("amount", "positive", F.col("amount") > 0),
            Rule("country", "not_null", F.col("country").isNotNull()),
        ),
    )


def gold_daily_revenue() -> StepSpec:
    """Gold step 'daily_revenue' (pipeline.py:115): writes shop.daily_revenue."""
    return StepSpec(
        name="daily_revenue",
        layer="gold",
        threshold=99.0,
        table="shop.daily_revenue",
        source_silvers=("clean_orders",),
        keep_columns=("order_date", "revenue"),
        transform=daily_revenue,
        rules=(
            Rule("order_date", "not_null", F.col("order_date").isNotNull()),
            Rule("revenue", "non_negative", F.col("revenue") >= 0),
        ),
    )


def gold_customer_lifetime_value() -> StepSpec:
    """Gold step 'customer_lifetime_value' (pipeline.py:122): writes shop.customer_lifetime_value."""
    return StepSpec(
        name="customer_lifetime_value",
        layer="gold",
        threshold=99.0,
        table="shop.customer_lifetime_value",
        source_silvers=("customer_orders",),
        keep_columns=("customer_id", "lifetime_value"),
        transform=customer_lifetime_value,
        rules=(
            Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
            Rule("lifetime_value", "positive", F.col("lifetime_value") > 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="ecommerce",
    source_file="pipeline.py",
    source_hash="073a727f9905bbfb9c944eef95533f5ec4cadccce778a906c79f322e66825102",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="shop.pipeline_logs",
    steps=(
        PlannedStep(1, "customers", "bronze", "shop.customers"),
        PlannedStep(1, "orders", "bronze", "shop.orders", incremental=True),
        PlannedStep(
            2, "clean_customers", "silver", "shop.clean_customers", upstream=("customers",)
        ),
        PlannedStep(
            2, "clean_orders", "silver", "shop.clean_orders", upstream=("orders",), incremental=True
        ),
        PlannedStep(
            3,
            "customer_orders",
            "silver",
            "shop.customer_orders",
            upstream=("orders", "clean_orders", "clean_customers"),
            incremental=True,
        ),
        PlannedStep(
            4,
            "customer_lifetime_value",
            "gold",
            "shop.customer_lifetime_value",
            upstream=("customer_orders",),
        ),
        PlannedStep(4, "daily_revenue", "gold", "shop.daily_revenue", upstream=("clean_orders",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_customers, bronze_orders),  # stage 1, parallel
        (silver_clean_customers, silver_clean_orders),  # stage 2, parallel
        (silver_customer_orders,),  # stage 3
        (gold_customer_lifetime_value, gold_daily_revenue),  # stage 4, parallel
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
