from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

from transforms import clean

LIMIT = 5


def tidy(spark, bronze_df, prior_silvers):
    return bronze_df.limit(LIMIT)


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="clean", transform=clean, rules={}, table_name="clean")
builder.add_silver_transform(name="tidy", transform=tidy, rules={}, table_name="tidy")
