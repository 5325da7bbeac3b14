from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def totals(spark, bronze_df, prior_silvers):
    customers = prior_silvers["customer"]
    raw = prior_silvers["orders"]
    return bronze_df.join(customers, "id").union(raw)


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="customers", transform=lambda spark, df, prior: df, rules={}, table_name="customers")
builder.add_silver_transform(name="totals", transform=totals, rules={}, table_name="totals", depends_on=["customers"])
