from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={})
builder.add_silver_transform(name="silver_orders", transform=lambda spark, df, prior: df, rules={}, table_name="o")
builder.add_silver_transform(
    name="silver_totals",
    transform=lambda spark, df, prior: df,
    rules={},
    table_name="t",
    depends_on=["silver_order"],
)
builder.add_gold_transform(name="daily", transform=lambda spark, silvers: silvers["silver_totals"], rules={}, table_name="d", source_silvers=["silver_total"])
