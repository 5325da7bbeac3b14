from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def build(spark, **options):
    builder = PipelineBuilder(spark=spark, schema="shop", **options)
    builder.with_bronze_rules(name="orders", rules={})
    return builder
