from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder.for_production(spark=spark, schema="shop", max_parallel_workers=0)
builder.with_bronze_rules(name="orders", rules={})
builder.enable_unified_execution(max_workers=-2)
