from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def clean(spark, bronze_df, prior_silvers):
    return bronze_df.filter(F.col("amount") > MIN_AMOUNT).transform(dedupe)


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="clean", transform=clean, rules={}, table_name="clean")
