from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop", min_silver_rate=150, min_gold_rate="high")
builder.with_bronze_rules(name="orders", rules={})
