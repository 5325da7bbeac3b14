"""One transform, several steps: functools.partial binds what differs (a key, a limit)."""

import functools
from functools import partial

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

EVENT_RULES = {"event_id": ["not_null"], "user_id": ["not_null"], "ts": ["not_null"]}


def latest_by(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict, *, key: str) -> DataFrame:
    return bronze_df.dropDuplicates([key, "ts"])


def totals(spark: SparkSession, silvers: dict, source: str, keys: tuple = ("user_id",)) -> DataFrame:
    return silvers[source].groupBy(*keys).agg(F.count("*").alias("events"))


def active_users(spark: SparkSession, silvers: dict, minimum: int = 0) -> DataFrame:
    return (
        silvers["by_event"]
        .groupBy("user_id")
        .agg(F.max("ts").alias("last_seen"), F.count("*").alias("events"))
        .filter(F.col("events") >= minimum)
    )


def build(spark: SparkSession) -> PipelineBuilder:
    builder = PipelineBuilder(spark=spark, schema="events")
    builder.with_bronze_rules(name="raw", rules=EVENT_RULES, incremental_col="ts")
    builder.add_silver_transform(
        name="by_event",
        source_bronze="raw",
        transform=functools.partial(latest_by, key="event_id"),
        rules=EVENT_RULES,
        table_name="by_event",
        watermark_col="ts",
    )
    builder.add_silver_transform(
        name="by_user",
        source_bronze="raw",
        transform=partial(latest_by, key="user_id"),
        rules=EVENT_RULES,
        table_name="by_user",
        watermark_col="ts",
    )
    builder.add_gold_transform(
        name="user_totals",
        source_silvers=["by_user"],
        transform=partial(totals, source="by_user", keys=["user_id"]),
        rules={"user_id": ["not_null"]},
        table_name="user_totals",
    )
    builder.add_gold_transform(
        name="active_users",
        source_silvers=["by_event"],
        transform=partial(active_users, minimum=2),
        rules={"user_id": ["not_null"]},
        table_name="active_users",
    )
    return builder
