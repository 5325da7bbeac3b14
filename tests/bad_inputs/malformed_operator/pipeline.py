from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(
    name="orders",
    rules={
        "amount": [["between", 10, 1], ["gt", 1, 2]],
        "status": [["in", "paid"]],
        "code": [["like", 5]],
    },
)
