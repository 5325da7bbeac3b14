from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

SCHEMA = "shop"
SCHEMA = "shop_v2"

builder = PipelineBuilder(spark=spark, schema=SCHEMA)
builder.with_bronze_rules(name="orders", rules={})
