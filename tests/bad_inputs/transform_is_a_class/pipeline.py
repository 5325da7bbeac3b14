from sparkforge import PipelineBuilder


class Deduplicate:
    def __init__(self, spark, bronze_df, prior_silvers):
        self.df = bronze_df.dropDuplicates()


builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
builder.add_silver_transform(
    name="clean_orders", transform=Deduplicate, rules={}, table_name="clean_orders"
)
