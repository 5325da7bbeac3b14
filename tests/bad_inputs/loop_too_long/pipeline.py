from sparkforge import PipelineBuilder


def partitions(count):
    return [f"part_{i}" for i in range(count)]


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


builder = PipelineBuilder(spark=spark, schema="shop", max_parallel_workers=fib(30))
for name in partitions(20_000):
    builder.with_bronze_rules(name=name, rules={})
