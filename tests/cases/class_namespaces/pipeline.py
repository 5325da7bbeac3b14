"""Settings kept in classes used as namespaces: constants, an enum of step names, static methods."""

from enum import StrEnum
from typing import ClassVar

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

SCHEMA_PREFIX = "ops"


class Settings:
    SCHEMA = f"{SCHEMA_PREFIX}_metrics"
    KEY = "host"
    RULES: ClassVar[dict[str, list]] = {KEY: ["not_null"], "cpu": [["between", 0, 100]]}
    MIN_SILVER = 97.5


class Step(StrEnum):
    RAW = "raw_metrics"
    CLEAN = "clean_metrics"
    HOURLY = "hourly_load"


class Transforms:
    @staticmethod
    def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
        return bronze_df.withColumn("hour", F.date_trunc("hour", "ts"))

    def hourly(spark: SparkSession, silvers: dict) -> DataFrame:
        return silvers[Step.CLEAN.value].groupBy(Settings.KEY, "hour").agg(F.avg("cpu").alias("cpu"))


def build(spark: SparkSession) -> PipelineBuilder:
    builder = PipelineBuilder(spark=spark, schema=Settings.SCHEMA, min_silver_rate=Settings.MIN_SILVER)
    builder.with_bronze_rules(name=Step.RAW.value, rules={**Settings.RULES, "ts": ["not_null"]})
    builder.add_silver_transform(
        name=Step.CLEAN.value,
        source_bronze=Step.RAW.value,
        transform=Transforms.clean,
        rules={**Settings.RULES, "hour": ["not_null"]},
        table_name=Step.CLEAN.value,
    )
    builder.add_gold_transform(
        name=Step.HOURLY.name.lower(),
        source_silvers=[Step.CLEAN.value],
        transform=Transforms.hourly,
        rules={Settings.KEY: ["not_null"], "hour": ["not_null"]},
        table_name=Step.HOURLY.value,
    )
    return builder
