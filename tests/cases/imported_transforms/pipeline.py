"""Transforms imported from a module next to the pipeline file."""

from pyspark.sql import SparkSession
from transforms import clean_lines, product_sales

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()

builder = (
    PipelineBuilder(spark=spark, schema="retail", pipeline_name="retail")
    .with_bronze_rules(
        name="raw_lines", rules={"sku": ["not_null"], "quantity": ["not_null"], "price": []}
    )
    .add_silver_transform(
        name="order_lines",
        transform=clean_lines,
        rules={"sku": ["not_null"], "line_total": ["non_negative"]},
        table_name="order_lines",
    )
    .add_gold_transform(
        name="product_sales",
        transform=product_sales,
        rules={"sku": ["not_null"], "sales": ["non_negative"]},
        table_name="product_sales",
    )
)
