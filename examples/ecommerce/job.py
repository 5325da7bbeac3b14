r"""Pipeline 'ecommerce': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 7b3edfad3ab3c5903bf773b87a8a7df9267357709bb671fcb66cfd452aa2f073).
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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:8
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:9
from pyspark.sql import functions as F


# pipeline.py:31
def clean_orders(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return (
        bronze_df.withColumn(
            "amount", F.round(F.col("quantity") * F.col("unit_price"), 2)
        )
        .withColumn("order_date", F.to_date("order_ts"))
        .filter(F.col("status") != "returned")
    )


# pipeline.py:39
def clean_customers(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.withColumn("email", F.lower(F.trim("email"))).dropDuplicates(
        ["customer_id"]
    )


# pipeline.py:43
def customer_orders(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
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


def orders_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'orders' (pipeline.py:77)."""
    return (
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
    )


# pipeline.py:77
@step("bronze", "orders", table="shop.orders", watermark="order_ts")
def bronze_orders(run: StepRun) -> DataFrame:
    """Reads shop.orders, or the input bound with --source orders=...; in
    incremental runs only the rows whose order_ts is newer than what
    shop.clean_orders and shop.customer_orders last covered.

    Below 90% valid rows it fails; then clean_orders, customer_orders,
    customer_lifetime_value and daily_revenue are cancelled. Once it passes, its
    invalid rows are appended to shop.orders_quarantine.
    """
    df = run.read("shop.orders")
    if run.incremental:
        since = run.oldest_watermark(
            ("shop.clean_orders", "order_ts"), ("shop.customer_orders", "order_ts")
        )
        df = run.newer_than(df, "order_ts", since)
    checked = run.validate(
        df,
        orders_rules(),
        keep=(
            "order_id",
            "customer_id",
            "order_ts",
            "quantity",
            "unit_price",
            "status",
        ),
        watermark="order_ts",
    )
    run.gate(checked, min_rate=90.0)
    run.quarantine(checked, "shop.orders_quarantine")
    return checked.valid


def customers_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'customers' (pipeline.py:78)."""
    return (
        Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
        Rule(
            "email",
            "not_empty",
            F.col("email").isNotNull() & (F.length(F.col("email")) > 0),
        ),
        Rule("email", "email LIKE '%@%'", F.expr("email LIKE '%@%'")),
        Rule("country", "not_null", F.col("country").isNotNull()),
        Rule("signup_date", "not_null", F.col("signup_date").isNotNull()),
    )


# pipeline.py:78
@step("bronze", "customers", table="shop.customers")
def bronze_customers(run: StepRun) -> DataFrame:
    """Reads shop.customers, or the input bound with --source customers=....

    Below 90% valid rows it fails; then clean_customers, customer_orders and
    customer_lifetime_value are cancelled.
    """
    df = run.read("shop.customers")
    checked = run.validate(
        df, customers_rules(), keep=("customer_id", "email", "country", "signup_date")
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def clean_orders_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_orders' (pipeline.py:79)."""
    return (
        Rule("order_id", "not_null", F.col("order_id").isNotNull()),
        Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
        Rule("order_ts", "not_null", F.col("order_ts").isNotNull()),
        Rule("order_date", "not_null", F.col("order_date").isNotNull()),
        Rule("amount", "positive", F.col("amount") > 0),
    )


# pipeline.py:79
@step(
    "silver",
    "clean_orders",
    table="shop.clean_orders",
    after=("orders",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_clean_orders(run: StepRun) -> DataFrame:
    """orders -> shop.clean_orders: in incremental runs it appends the rows newer
    than its watermark (order_ts); otherwise it replaces the table.

    In incremental runs it is skipped when orders passed on no new rows.

    Below 95% valid rows it fails and writes nothing; then customer_orders,
    customer_lifetime_value and daily_revenue are cancelled.
    """
    since = run.watermark("shop.clean_orders", "order_ts") if run.incremental else None
    if since is not None and run.no_new_rows("orders"):
        return run.skip("no new rows in orders")
    orders = run.newer_than(run.output("orders"), "order_ts", since)
    priors = run.declared({}, argument="depends_on")
    df = clean_orders(run.spark, orders, priors)
    checked = run.validate(
        df,
        clean_orders_rules(),
        keep=("order_id", "customer_id", "order_ts", "order_date", "amount"),
        watermark="order_ts",
    )
    run.gate(checked, min_rate=95.0)
    run.publish(checked, covered=run.covered("orders", since))
    return checked.valid


def clean_customers_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_customers' (pipeline.py:93)."""
    return (
        Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
        Rule("country", "not_null", F.col("country").isNotNull()),
    )


# pipeline.py:93
@step(
    "silver",
    "clean_customers",
    table="shop.clean_customers",
    after=("customers",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_clean_customers(run: StepRun) -> DataFrame:
    """customers -> shop.clean_customers: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 95% valid rows it fails and writes nothing; then customer_orders and
    customer_lifetime_value are cancelled.
    """
    customers = run.output("customers")
    priors = run.declared({}, argument="depends_on")
    df = clean_customers(run.spark, customers, priors)
    checked = run.validate(df, clean_customers_rules(), keep=("customer_id", "country"))
    run.gate(checked, min_rate=95.0)
    run.publish(checked)
    return checked.valid


def customer_orders_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'customer_orders' (pipeline.py:100)."""
    return (
        Rule("order_id", "not_null", F.col("order_id").isNotNull()),
        Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
        Rule("order_ts", "not_null", F.col("order_ts").isNotNull()),
        Rule("amount", "positive", F.col("amount") > 0),
        Rule("country", "not_null", F.col("country").isNotNull()),
    )


# pipeline.py:100
@step(
    "silver",
    "customer_orders",
    table="shop.customer_orders",
    after=("orders", "clean_orders", "clean_customers"),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_customer_orders(run: StepRun) -> DataFrame:
    """orders, clean_orders and clean_customers -> shop.customer_orders: in
    incremental runs it appends the rows newer than its watermark (order_ts);
    otherwise it replaces the table.

    It is never skipped: clean_customers replaces its table (or merges into it)
    in every run.

    Below 95% valid rows it fails and writes nothing; then
    customer_lifetime_value is cancelled.
    """
    since = (
        run.watermark("shop.customer_orders", "order_ts") if run.incremental else None
    )
    orders = run.newer_than(run.output("orders"), "order_ts", since)
    priors = run.declared(
        {
            "clean_orders": run.rows_since(
                "clean_orders", "shop.clean_orders", "order_ts", since
            ),
            "clean_customers": run.output("clean_customers"),
        },
        argument="depends_on",
    )
    df = customer_orders(run.spark, orders, priors)
    checked = run.validate(
        df,
        customer_orders_rules(),
        keep=("order_id", "customer_id", "order_ts", "amount", "country"),
        watermark="order_ts",
    )
    run.gate(checked, min_rate=95.0)
    run.publish(checked, covered=run.covered("orders", since))
    return checked.valid


def daily_revenue_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'daily_revenue' (pipeline.py:115)."""
    return (
        Rule("order_date", "not_null", F.col("order_date").isNotNull()),
        Rule("revenue", "non_negative", F.col("revenue") >= 0),
    )


# pipeline.py:115
@step(
    "gold",
    "daily_revenue",
    table="shop.daily_revenue",
    after=("clean_orders",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
    refresh_by=("order_date",),
)
def gold_daily_revenue(run: StepRun) -> DataFrame:
    """clean_orders -> shop.daily_revenue: recomputed from the whole silver tables
    and replaced in initial and full-refresh runs.

    In incremental runs it is skipped when neither clean_orders nor its code
    changed since its last run; otherwise it recomputes only the groups (by
    order_date) that the new rows of clean_orders touch and merges them into the
    table, deleting groups that no longer produce a row.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("shop.clean_orders", code="766adec6fb4b"):
        return run.skip("clean_orders did not change since its last run")
    groups = run.changed_groups("clean_orders", "shop.clean_orders")
    silvers = run.declared(
        {
            "clean_orders": run.in_groups(
                run.whole("clean_orders", "shop.clean_orders"), groups
            )
        },
        argument="source_silvers",
    )
    df = daily_revenue(run.spark, silvers)
    checked = run.validate(df, daily_revenue_rules(), keep=("order_date", "revenue"))
    run.gate(checked, min_rate=99.0)
    run.publish_groups(checked, groups)
    return checked.valid


def customer_lifetime_value_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'customer_lifetime_value' (pipeline.py:122)."""
    return (
        Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
        Rule("lifetime_value", "positive", F.col("lifetime_value") > 0),
    )


# pipeline.py:122
@step(
    "gold",
    "customer_lifetime_value",
    table="shop.customer_lifetime_value",
    after=("customer_orders",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_customer_lifetime_value(run: StepRun) -> DataFrame:
    """customer_orders -> shop.customer_lifetime_value: recomputed from the whole
    silver tables and replaced in every run.

    In incremental runs it is skipped when neither customer_orders nor its code
    changed since its last run; otherwise it recomputes in full: its rules keep
    only customer_id, lifetime_value, not the group key country.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("shop.customer_orders", code="5d95976131bb"):
        return run.skip("customer_orders did not change since its last run")
    silvers = run.declared(
        {"customer_orders": run.whole("customer_orders", "shop.customer_orders")},
        argument="source_silvers",
    )
    df = customer_lifetime_value(run.spark, silvers)
    checked = run.validate(
        df, customer_lifetime_value_rules(), keep=("customer_id", "lifetime_value")
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="ecommerce",
    log_table="shop.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="7b3edfad3ab3c5903bf773b87a8a7df9267357709bb671fcb66cfd452aa2f073",
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
            (bronze_customers, bronze_orders),  # stage 1: side by side
            (silver_clean_customers, silver_clean_orders),  # stage 2: side by side
            (silver_customer_orders,),  # stage 3
            (gold_customer_lifetime_value, gold_daily_revenue),  # stage 4: side by side
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
