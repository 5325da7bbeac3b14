"""A pipeline built inside a function that takes the SparkSession, as examples often do."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder


def enrich(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("reading_c", F.round((F.col("reading_f") - 32) * 5 / 9, 2))


def hourly(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["readings"].groupBy(F.date_trunc("hour", "ts").alias("hour")).agg(
        F.avg("reading_c").alias("avg_c")
    )


def build(spark: SparkSession, schema: str = "iot") -> PipelineBuilder:
    return (
        PipelineBuilder(spark=spark, schema=schema, pipeline_name="sensors")
        .with_bronze_rules(
            name="raw_readings",
            rules={"sensor_id": ["not_null"], "reading_f": ["not_null"], "ts": ["not_null"]},
            incremental_col="ts",
        )
        .add_silver_transform(
            name="readings",
            transform=enrich,
            rules={"sensor_id": ["not_null"], "reading_c": [["between", -50, 150]], "ts": []},
            table_name="readings",
            watermark_col="ts",
        )
        .add_gold_transform(
            name="hourly_temperature",
            transform=hourly,
            rules={"hour": ["not_null"], "avg_c": []},
            table_name="hourly_temperature",
        )
    )
