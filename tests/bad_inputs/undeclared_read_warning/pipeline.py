from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def enrich(spark, bronze_df, prior_silvers):
    return bronze_df.join(prior_silvers["customers"], "id")


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="customers", transform=lambda spark, df, prior: df, rules={}, table_name="customers")
builder.add_silver_transform(name="enriched", transform=enrich, rules={}, table_name="enriched")
