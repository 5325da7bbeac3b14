"""Presets: for_production with an override, and a rate that the preset does not set."""

from pyspark.sql import DataFrame, SparkSession

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def dedupe(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates(["invoice_id"])


builder = PipelineBuilder.for_production(
    spark=spark, schema="billing", max_parallel_workers=2, pipeline_name="billing"
)
builder.with_bronze_rules(name="invoices", rules={"invoice_id": ["not_null"], "total": ["positive"]})
builder.add_silver_transform(
    name="unique_invoices",
    transform=dedupe,
    rules={"invoice_id": ["not_null"], "total": ["positive"]},
    table_name="unique_invoices",
)
