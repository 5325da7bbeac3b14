from sparkforge import PipelineBuilder

# Commandes reçues du magasin
builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
