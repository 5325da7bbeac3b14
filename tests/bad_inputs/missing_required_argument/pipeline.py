from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark)
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="clean", transform=lambda spark, df, prior: df, rules={})
