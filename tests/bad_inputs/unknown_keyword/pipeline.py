from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop", min_bronze=90.0)
builder.with_bronze_rules(name="orders", rule={"id": ["not_null"]})
