from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

customers = spark.table("shop.customers")

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(
    name="orders",
    rules={"customer_id": [F.col("customer_id") == customers["customer_id"]]},
)
