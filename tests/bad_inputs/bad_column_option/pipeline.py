from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={}, incremental_col=["ts"])
builder.add_silver_transform(name="a", transform=lambda spark, df, prior: df, rules={}, table_name="a", depends_on=[""])
