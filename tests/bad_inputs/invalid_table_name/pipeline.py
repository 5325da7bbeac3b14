from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop", log_table="logs table")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="a", transform=lambda spark, df, prior: df, rules={}, table_name="select")
builder.add_silver_transform(name="b", transform=lambda spark, df, prior: df, rules={}, table_name="silver.b")
