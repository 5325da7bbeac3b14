from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

FULL = True

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
if FULL:
    builder.with_bronze_rules(name="users", rules={})
