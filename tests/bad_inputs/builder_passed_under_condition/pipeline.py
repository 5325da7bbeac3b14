from sparkforge import PipelineBuilder

PROD = True

def add_source(builder, name):
    builder.with_bronze_rules(name=name, rules={"id": ["not_null"]})

def log_it(builder):
    print(builder)

def build(spark):
    builder = PipelineBuilder(spark=spark, schema="s")
    add_source(builder, "orders")
    if PROD:
        add_source(builder, "audit")
    n = 0
    while n < 2:
        add_source(builder, f"x{n}")
        n += 1
    log_it(builder)
    return builder
