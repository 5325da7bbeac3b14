from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

for suffix in ["a", "b"]:
    TABLE = f"orders_{suffix}"

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name=TABLE, rules={})
