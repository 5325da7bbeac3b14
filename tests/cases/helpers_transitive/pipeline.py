"""Transforms that use helpers and constants, which use other helpers: all are copied, each once."""

import re
from datetime import timedelta

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()

LATE_AFTER = timedelta(hours=2)
SKU_PATTERN = re.compile(r"^[A-Z]{3}-\d{4}$")
UNUSED_CONSTANT = 42


def _normalise_sku(column: str):
    return F.upper(F.trim(F.col(column)))


def _latest_per(df: DataFrame, key: str, order: str) -> DataFrame:
    window = Window.partitionBy(key).orderBy(F.col(order).desc())
    return df.withColumn("_rank", F.row_number().over(window)).filter("_rank = 1").drop("_rank")


def _valid_sku(sku: str) -> bool:
    return bool(SKU_PATTERN.match(sku))


def stock(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    df = bronze_df.withColumn("sku", _normalise_sku("sku"))
    return _latest_per(df, "sku", "updated_at")


def late_updates(spark: SparkSession, silvers: dict) -> DataFrame:
    cutoff = F.current_timestamp() - F.expr(f"INTERVAL {int(LATE_AFTER.total_seconds())} SECONDS")
    return silvers["stock"].filter(F.col("updated_at") < cutoff).select("sku", "updated_at")


builder = (
    PipelineBuilder(spark=spark, schema="warehouse")
    .with_bronze_rules(name="raw_stock", rules={"sku": ["not_null"], "updated_at": ["not_null"]})
    .add_silver_transform(
        name="stock",
        transform=stock,
        rules={"sku": ["not_empty"], "updated_at": ["not_null"]},
        table_name="stock",
    )
    .add_gold_transform(
        name="late_updates",
        transform=late_updates,
        rules={"sku": ["not_null"], "updated_at": []},
        table_name="late_updates",
    )
)
