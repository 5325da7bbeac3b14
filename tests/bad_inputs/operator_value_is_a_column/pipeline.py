from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(
    name="orders",
    rules={"shipped": [["gte", F.col("ordered")]], "status": {"in": F.lit("paid")}},
)
