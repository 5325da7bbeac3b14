from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def make_transform(column):
    return lambda spark, df, prior: df.filter(F.col(column).isNotNull())


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="a", transform="clean_orders", rules={}, table_name="a")
builder.add_silver_transform(name="b", transform=make_transform("id"), rules={}, table_name="b")
