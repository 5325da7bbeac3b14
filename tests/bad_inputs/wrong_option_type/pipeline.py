from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema=42, pipeline_name="")
builder.with_bronze_rules(name="orders", rules={})
