from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(
    name="orders",
    rules={"id": ["not_nul"], "amount": [["greater", 0]], "status": [["gte"]]},
)
