"""A silver table that exists already (with_silver_rules): validated, read by gold, never written."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def country_counts(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["customers"].groupBy("country").agg(F.count("*").alias("customers"))


builder = (
    PipelineBuilder.for_testing(spark=spark, schema="crm")
    .with_silver_rules(
        name="customers",
        table_name="customers_v2",
        rules={"customer_id": ["not_null"], "country": ["not_null"]},
    )
    .add_gold_transform(
        name="country_counts",
        source_silvers=["customers"],
        transform=country_counts,
        rules={"country": ["not_null"], "customers": ["positive"]},
        table_name="country_counts",
    )
)
