from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def add_bronze(b, name):
    b.with_bronze_rules(name=name, rules={})


builder = PipelineBuilder(spark=spark, schema="shop")
add_bronze(builder, "orders")
builder.with_bronze_rules(name="users", rules={})
