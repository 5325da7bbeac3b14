from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

def add_sources(builder, names):
    for name in names:
        builder.with_bronze_rules(name=name, rules={"id": ["not_null"]})

builder = PipelineBuilder(spark=spark, schema="s")
add_sources(builder, ["a", "b"])
