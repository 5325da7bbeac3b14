from sparkforge import PipelineBuilder

ORDER_RULES = {"order_id": ["not_null"]}


def require(rules, *columns):
    for column in columns:
        rules[column] = ["not_null"]


require(ORDER_RULES, "customer_id", "ts")

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules=ORDER_RULES)
