"""A pipeline assembled by functions the builder is passed to: one per source, called in a loop, and
one for the gold layer. The compiler follows each call with its own argument values."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()
SOURCES = {"orders": "order_id", "refunds": "refund_id"}


def positive_amounts(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(F.col("amount") > 0)


def net_amount(spark: SparkSession, silvers: dict) -> DataFrame:
    orders = silvers["clean_orders"].agg(F.sum("amount").alias("amount"))
    refunds = silvers["clean_refunds"].agg(F.sum("amount").alias("refunds"))
    return orders.crossJoin(refunds).withColumn("net", F.col("amount") - F.coalesce("refunds", F.lit(0.0)))


def add_source(builder: PipelineBuilder, name: str, key: str, *, min_amount: float = 0.0) -> PipelineBuilder:
    rules = {key: ["not_null"], "amount": ["not_null"]}
    builder.with_bronze_rules(name=name, rules=rules)
    rules = {**rules, "amount": [F.col("amount") > min_amount]}
    return builder.add_silver_transform(
        name=f"clean_{name}",
        source_bronze=name,
        transform=positive_amounts,
        rules=rules,
        table_name=f"clean_{name}",
    )


def add_gold(builder: PipelineBuilder) -> PipelineBuilder:
    builder.add_gold_transform(
        name="net_amount",
        source_silvers=[f"clean_{name}" for name in SOURCES],
        transform=net_amount,
        rules={"net": ["not_null"]},
        table_name="net_amount",
    )
    return builder


builder = PipelineBuilder(spark=spark, schema="helpers", min_bronze_rate=60.0, min_silver_rate=60.0)
for source, key in SOURCES.items():
    builder = add_source(builder, source, key)
add_gold(builder)
