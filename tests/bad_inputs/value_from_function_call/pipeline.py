from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

import json


def load_schema():
    return json.load(open("config.json"))["schema"]


builder = PipelineBuilder(spark=spark, schema=load_schema())
builder.with_bronze_rules(name="orders", rules={})
