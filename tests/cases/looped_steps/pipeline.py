"""Steps declared in a `for` loop over a constant, with rules and names built by helper functions.

The compiler unrolls the loop: one bronze and one silver step per source, as if written out.
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()

SCHEMA = "sf_looped"
RAW, CLEAN = "raw", "clean"
SOURCES = (("orders", "order_id"), ("refunds", "refund_id"))


def key_rules(*cols):
    return {c: ["not_null"] for c in cols}


def table(layer, name):
    return f"{layer}_{name}"


def dedupe(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates()


def net_amount(spark: SparkSession, silvers: dict) -> DataFrame:
    orders = silvers["clean_orders"].agg(F.sum("amount").alias("ordered"))
    refunds = silvers["clean_refunds"].agg(F.sum("amount").alias("refunded"))
    return orders.crossJoin(refunds).select((F.col("ordered") - F.col("refunded")).alias("net"))


builder = PipelineBuilder(spark=spark, schema=SCHEMA, min_bronze_rate=50.0, min_silver_rate=50.0)
for name, key in SOURCES:
    builder.with_bronze_rules(name=name, rules={**key_rules(key), "amount": [["gte", 0]]})
    builder.add_silver_transform(
        name=f"{CLEAN}_{name}",
        transform=dedupe,
        rules={**key_rules(key, "amount"), "amount": [F.col("amount") < 10_000]},
        table_name=table(CLEAN, name),
        source_bronze=name,
    )
builder.add_gold_transform(
    name="net", transform=net_amount, rules={"net": ["not_null"]}, table_name="net_amount"
)
