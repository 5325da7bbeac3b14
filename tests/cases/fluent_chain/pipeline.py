"""Orders pipeline written as one fluent chain at module level."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def clean_orders(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("amount_cents", (F.col("amount") * 100).cast("long"))


def daily_revenue(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["clean_orders"]
        .groupBy(F.to_date("ts").alias("day"))
        .agg(F.sum("amount").alias("revenue"), F.count("*").alias("orders"))
    )


builder = (
    PipelineBuilder(spark=spark, schema="sf_golden_shop", pipeline_name="golden_shop")
    .with_bronze_rules(
        name="orders",
        rules={"order_id": ["not_null"], "amount": ["non_negative"], "ts": ["not_null"]},
        incremental_col="ts",
    )
    .add_silver_transform(
        name="clean_orders",
        source_bronze="orders",
        transform=clean_orders,
        rules={"order_id": ["not_null"], "amount": [["gt", 0]], "amount_cents": [], "ts": ["not_null"]},
        table_name="clean_orders",
        watermark_col="ts",
    )
    .add_gold_transform(
        name="daily_revenue",
        transform=daily_revenue,
        rules={"day": ["not_null"], "revenue": ["non_negative"], "orders": []},
        table_name="daily_revenue",
    )
)
