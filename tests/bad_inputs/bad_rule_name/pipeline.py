from pyspark.sql import functions as F
from sparkforge import PipelineBuilder, rule


def build(spark):
    builder = PipelineBuilder(spark=spark, schema="shop")
    builder.with_bronze_rules(
        name="orders",
        rules={
            "amount": [rule("positive", name="amount > 0")],
            "status": [rule(F.col("status").isNotNull(), action="fail")],
        },
    )
    return builder
