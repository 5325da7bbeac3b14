from sparkforge import PipelineBuilder


class Cleaner:
    def __init__(self, key):
        self.key = key

    def run(self, spark, bronze_df, prior_silvers):
        return bronze_df.dropDuplicates([self.key])


cleaner = Cleaner("order_id")

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
builder.add_silver_transform(
    name="clean_orders", transform=cleaner.run, rules={}, table_name="clean_orders"
)
