from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

from transforms import clean_order

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="clean", transform=clean_order, rules={}, table_name="clean")
