from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

from transforms import clean_orders
from mylib.cleaning import dedupe

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="a", transform=clean_orders, rules={}, table_name="a")
builder.add_silver_transform(name="b", transform=dedupe, rules={}, table_name="b")
