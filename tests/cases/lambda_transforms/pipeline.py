"""Transforms written as lambdas, one of them spread over several lines."""

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()

builder = (
    PipelineBuilder.for_development(spark=spark, schema="clicks")
    .with_bronze_rules(name="raw_clicks", rules={"url": ["not_empty"], "user_id": ["not_null"]})
    .add_silver_transform(
        name="clicks",
        transform=lambda spark, df, prior: df.withColumn("domain", F.regexp_extract("url", "//([^/]+)", 1)),
        rules={"url": ["not_null"], "domain": ["not_empty"], "user_id": []},
        table_name="clicks",
    )
    .add_gold_transform(
        name="top_domains",
        transform=lambda spark, silvers: (
            silvers["clicks"]
            .groupBy("domain")
            .agg(F.countDistinct("user_id").alias("users"))
        ),
        rules={"domain": ["not_null"], "users": ["positive"]},
        table_name="top_domains",
    )
)
