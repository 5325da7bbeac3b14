from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
builder.add_silver_transform(
    name="clean_orders", transform=clean_orders, rules={}, table_name="clean_orders"
)


def clean_orders(spark, bronze_df, prior_silvers):
    return bronze_df.dropDuplicates(["order_id"])
