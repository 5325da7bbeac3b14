from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.add_gold_transform(name="daily", transform=lambda spark, silvers: silvers, rules={}, table_name="daily")
builder.add_silver_transform(name="clean", transform=lambda spark, df, prior: df, rules={}, table_name="clean")
