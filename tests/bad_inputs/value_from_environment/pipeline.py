from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

import os

builder = PipelineBuilder(spark=spark, schema=os.environ["SCHEMA"])
builder.with_bronze_rules(name="orders", rules={})
