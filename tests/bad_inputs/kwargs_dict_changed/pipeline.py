from sparkforge import PipelineBuilder

ORDERS = {"name": "orders", "incremental_col": "ts"}
ORDERS["rules"] = {"order_id": ["not_null"]}

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(**ORDERS)
