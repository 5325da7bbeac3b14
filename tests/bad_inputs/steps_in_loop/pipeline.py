from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

TABLES = ["orders", "users"]

builder = PipelineBuilder(spark=spark, schema="shop")
for table in TABLES:
    builder.with_bronze_rules(name=table, rules={"id": ["not_null"]})
