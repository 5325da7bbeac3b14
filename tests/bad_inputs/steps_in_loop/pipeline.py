from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
for table in spark.catalog.listTables("landing"):
    builder.with_bronze_rules(name=table.name, rules={"id": ["not_null"]})
