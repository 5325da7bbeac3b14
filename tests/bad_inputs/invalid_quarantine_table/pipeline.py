from sparkforge import PipelineBuilder


def build(spark):
    builder = PipelineBuilder(spark=spark, schema="shop", quarantine="yes")
    builder.with_bronze_rules(name="orders", rules={"id": ["not_null"]}, quarantine="bad rows")
    builder.with_bronze_rules(name="customers", rules={"id": ["not_null"]}, quarantine=3)
    return builder
