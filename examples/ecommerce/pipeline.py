"""E-commerce pipeline: raw orders and customers -> clean silver tables -> revenue and lifetime value.

Orders arrive continuously (incremental on `order_ts`); the customer list is re-sent whole each time.
Run it interactively with `build(spark).to_pipeline().initial_load(...)`, or compile it with
`sparkforge compile examples/ecommerce/pipeline.py -o job.py`.
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

SCHEMA = "shop"
VALID_STATUSES = ["placed", "shipped", "delivered", "returned"]

ORDER_RULES = {
    "order_id": ["not_null"],
    "customer_id": ["not_null"],
    "order_ts": ["not_null"],
    "quantity": [["gt", 0]],
    "unit_price": ["non_negative"],
    "status": [["in", VALID_STATUSES]],
}
CUSTOMER_RULES = {
    "customer_id": ["not_null"],
    "email": ["not_empty", "email LIKE '%@%'"],
    "country": ["not_null"],
    "signup_date": ["not_null"],
}


def clean_orders(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return (
        bronze_df.withColumn("amount", F.round(F.col("quantity") * F.col("unit_price"), 2))
        .withColumn("order_date", F.to_date("order_ts"))
        .filter(F.col("status") != "returned")
    )


def clean_customers(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("email", F.lower(F.trim("email"))).dropDuplicates(["customer_id"])


def customer_orders(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    orders = prior_silvers["clean_orders"]
    customers = prior_silvers["clean_customers"].select("customer_id", "country")
    return orders.join(customers, "customer_id", "left").withColumn(
        "country", F.coalesce(F.col("country"), F.lit("unknown"))
    )


def daily_revenue(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["clean_orders"]
        .groupBy("order_date")
        .agg(F.sum("amount").alias("revenue"), F.count("*").alias("orders"))
    )


def customer_lifetime_value(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["customer_orders"]
        .groupBy("customer_id", "country")
        .agg(F.sum("amount").alias("lifetime_value"), F.count("*").alias("orders"))
    )


def build(spark: SparkSession) -> PipelineBuilder:
    return (
        PipelineBuilder(
            spark=spark,
            schema=SCHEMA,
            min_bronze_rate=90.0,
            min_silver_rate=95.0,
            min_gold_rate=99.0,
            pipeline_name="ecommerce",
        )
        .with_bronze_rules(name="orders", rules=ORDER_RULES, incremental_col="order_ts", quarantine=True)
        .with_bronze_rules(name="customers", rules=CUSTOMER_RULES)
        .add_silver_transform(
            name="clean_orders",
            source_bronze="orders",
            transform=clean_orders,
            rules={
                "order_id": ["not_null"],
                "customer_id": ["not_null"],
                "order_ts": ["not_null"],
                "order_date": ["not_null"],
                "amount": ["positive"],
            },
            table_name="clean_orders",
            watermark_col="order_ts",
        )
        .add_silver_transform(
            name="clean_customers",
            source_bronze="customers",
            transform=clean_customers,
            rules={"customer_id": ["not_null"], "country": ["not_null"]},
            table_name="clean_customers",
        )
        .add_silver_transform(
            name="customer_orders",
            source_bronze="orders",
            depends_on=["clean_orders", "clean_customers"],
            transform=customer_orders,
            rules={
                "order_id": ["not_null"],
                "customer_id": ["not_null"],
                "order_ts": ["not_null"],
                "amount": ["positive"],
                "country": ["not_null"],
            },
            table_name="customer_orders",
            watermark_col="order_ts",
        )
        .add_gold_transform(
            name="daily_revenue",
            source_silvers=["clean_orders"],
            transform=daily_revenue,
            rules={"order_date": ["not_null"], "revenue": ["non_negative"]},
            table_name="daily_revenue",
        )
        .add_gold_transform(
            name="customer_lifetime_value",
            source_silvers=["customer_orders"],
            transform=customer_lifetime_value,
            rules={"customer_id": ["not_null"], "lifetime_value": ["positive"]},
            table_name="customer_lifetime_value",
        )
    )
