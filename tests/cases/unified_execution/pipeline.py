"""Unified execution: a gold step may start while unrelated silver steps still run."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def logins(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(F.col("ok"))


def errors(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(~F.col("ok"))


def login_count(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["logins"].groupBy("user_id").count()


builder = (
    PipelineBuilder(spark=spark, schema="auth")
    .with_bronze_rules(name="raw_auth", rules={"user_id": ["not_null"], "ok": ["not_null"]})
    .add_silver_transform(
        name="logins", transform=logins, rules={"user_id": ["not_null"]}, table_name="logins"
    )
    .add_silver_transform(
        name="errors",
        source_bronze="raw_auth",
        transform=errors,
        rules={"user_id": ["not_null"]},
        table_name="errors",
    )
    .add_gold_transform(
        name="login_count",
        source_silvers=["logins"],
        transform=login_count,
        rules={"user_id": ["not_null"], "count": ["positive"]},
        table_name="login_count",
    )
    .enable_unified_execution(max_workers=6)
)
