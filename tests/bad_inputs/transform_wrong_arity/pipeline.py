from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def clean(spark, df):
    return df


def daily(spark, silvers, extra):
    return silvers["clean"]


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="clean", transform=clean, rules={}, table_name="clean")
builder.add_gold_transform(name="daily", transform=daily, rules={}, table_name="daily")
builder.add_gold_transform(name="weekly", transform=lambda silvers: silvers["clean"], rules={}, table_name="weekly")
