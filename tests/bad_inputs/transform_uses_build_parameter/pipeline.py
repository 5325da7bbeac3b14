from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def build(spark, cutoff):
    builder = PipelineBuilder(spark=spark, schema="shop")
    builder.with_bronze_rules(name="orders", rules={})
    builder.add_silver_transform(
        name="recent",
        transform=lambda spark, df, prior: df.filter(F.col("day") > cutoff),
        rules={},
        table_name="recent",
    )
    return builder
