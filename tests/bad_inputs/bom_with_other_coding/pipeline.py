# -*- coding: latin-1 -*-
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
builder.with_bronze_rules(name="orders", rules={"order_id": ["not_null"]})
