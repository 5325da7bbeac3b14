from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def build(spark, schema):
    builder = PipelineBuilder(spark=spark, schema=schema)
    builder.with_bronze_rules(name="orders", rules={})
    return builder
