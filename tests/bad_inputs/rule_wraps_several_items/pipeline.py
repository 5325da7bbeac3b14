from sparkforge import PipelineBuilder, rule


def build(spark):
    builder = PipelineBuilder(spark=spark, schema="shop")
    builder.with_bronze_rules(
        name="orders",
        rules={
            "amount": [rule(["not_null", "positive"], action="warn")],
        },
    )
    return builder
