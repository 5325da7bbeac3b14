from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="clean", transform=lambda spark, df, prior: df, rules={}, table_name="clean")
builder.add_silver_transform(name="totals", source_bronze="clean", depends_on=["orders"], transform=lambda spark, df, prior: df, rules={}, table_name="totals")
