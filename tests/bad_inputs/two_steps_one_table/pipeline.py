from sparkforge import PipelineBuilder


def clean(spark, bronze_df, prior_silvers):
    return bronze_df


def totals(spark, silvers):
    return silvers["clean_orders"].groupBy("customer_id").count()


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
builder.add_silver_transform(name="clean_orders", transform=clean, rules={}, table_name="orders_clean")
builder.add_gold_transform(name="order_totals", transform=totals, rules={}, table_name="ORDERS_CLEAN")
