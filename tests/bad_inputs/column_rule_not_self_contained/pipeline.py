from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

from helpers import is_valid


def build(spark, threshold):
    builder = PipelineBuilder(spark=spark, schema="shop")
    builder.with_bronze_rules(
        name="orders",
        rules={
            "amount": [F.col("amount") > threshold],
            "id": [is_valid(F.col("id"))],
            "ok": [F.col("a").isNotNull() and F.col("b").isNotNull()],
        },
    )
    return builder
