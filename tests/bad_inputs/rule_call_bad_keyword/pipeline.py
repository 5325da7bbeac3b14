from sparkforge import PipelineBuilder, rule


def build(spark):
    builder = PipelineBuilder(spark=spark, schema="shop")
    builder.with_bronze_rules(
        name="orders",
        rules={
            "status": [rule("not_null", severity="warn")],
        },
    )
    return builder
