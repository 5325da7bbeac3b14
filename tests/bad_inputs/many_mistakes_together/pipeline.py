from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop", min_bronze_rate=101)
builder.with_bronze_rules(name="orders", rules={"id": ["not_nul"]})
builder.add_silver_transform(name="clean", source_bronze="order", transform=lambda spark, df: df, rules={}, table_name="clean")
builder.add_gold_transform(name="clean", transform=lambda spark, silvers: silvers, rules=None, table_name="daily")
