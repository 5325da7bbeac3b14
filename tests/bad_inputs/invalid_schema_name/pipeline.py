from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop; DROP TABLE users")
builder.with_bronze_rules(name="orders", rules={}, schema="raw-data")
