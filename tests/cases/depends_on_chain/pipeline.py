"""Marketing BI: a depends_on chain of silver steps and several gold steps."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def touches(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("day", F.to_date("ts"))


def spend(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("day", F.to_date("ts"))


def attributed(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return prior_silvers["touches"].join(prior_silvers["spend"], ["channel", "day"], "left")


def channel_roi(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["attributed"].groupBy("channel").agg(F.sum("cost").alias("cost"))


def daily_spend(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["spend"].groupBy("day").agg(F.sum("cost").alias("cost"))


def reach(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["touches"].agg(F.countDistinct("user_id").alias("users"))


builder = (
    PipelineBuilder(spark=spark, schema="mkt", pipeline_name="marketing_bi")
    .with_bronze_rules(name="raw_touches", rules={"user_id": ["not_null"], "ts": ["not_null"]})
    .with_bronze_rules(name="raw_spend", rules={"channel": ["not_null"], "cost": ["non_negative"]})
    .add_silver_transform(
        name="touches",
        source_bronze="raw_touches",
        transform=touches,
        rules={"user_id": ["not_null"], "channel": [], "day": ["not_null"]},
        table_name="touches",
    )
    .add_silver_transform(
        name="spend",
        source_bronze="raw_spend",
        transform=spend,
        rules={"channel": ["not_null"], "day": ["not_null"], "cost": []},
        table_name="spend",
    )
    .add_silver_transform(
        name="attributed",
        source_bronze="raw_touches",
        depends_on=["touches", "spend"],
        transform=attributed,
        rules={"channel": ["not_null"], "day": [], "cost": []},
        table_name="attributed",
    )
    .add_gold_transform(
        name="channel_roi",
        source_silvers=["attributed"],
        transform=channel_roi,
        rules={"channel": ["not_null"], "cost": []},
        table_name="channel_roi",
    )
    .add_gold_transform(
        name="daily_spend",
        source_silvers="spend",  # one name: the same as ["spend"]
        transform=daily_spend,
        rules={"day": ["not_null"], "cost": ["non_negative"]},
        table_name="daily_spend",
    )
    .add_gold_transform(
        name="reach",
        source_silvers=["touches"],
        transform=reach,
        rules={"users": ["non_negative"]},
        table_name="reach",
    )
)
