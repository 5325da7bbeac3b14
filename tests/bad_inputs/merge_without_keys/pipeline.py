from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="a", transform=lambda spark, df, prior: df, rules={}, table_name="a", write_mode="merge")
builder.add_silver_transform(name="b", transform=lambda spark, df, prior: df, rules={}, table_name="b", merge_keys=["id"])
builder.add_silver_transform(name="c", transform=lambda spark, df, prior: df, rules={}, table_name="c", write_mode="upsert")
