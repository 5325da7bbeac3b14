from pyspark.sql import functions as F
from pyspark.sql.functions import expr
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(
    name="orders",
    rules={
        "order_id": [F.expr("java_method('java.lang.Runtime', 'getRuntime') IS NOT NULL")],
        "status": [F.when(F.col("status").isNull(), expr("1 = 1; DROP TABLE shop.orders"))],
        "amount": [F.reflect(F.lit("java.util.UUID"), F.lit("randomUUID")).isNotNull()],
        "ok": [F.expr("amount > 0 AND status <> 'void'")],
    },
)
