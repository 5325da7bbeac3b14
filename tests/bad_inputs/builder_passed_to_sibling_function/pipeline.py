from pyspark.sql import functions as F
from sparkforge import PipelineBuilder
from sources import add_bronze


def add_silver(b, name):
    steps = [add_bronze]
    steps[0](b, name)  # not a call the compiler can follow
    b.add_silver_transform(name=f"clean_{name}", source_bronze=name, transform=lambda s, df, p: df,
                           rules={}, table_name=f"clean_{name}")


builder = PipelineBuilder(spark=spark, schema="shop")
add_bronze(builder, "orders")
builder.with_bronze_rules(name="users", rules={})
