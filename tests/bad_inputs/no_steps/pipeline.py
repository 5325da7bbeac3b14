from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

builder = PipelineBuilder(spark=spark, schema="shop")
pipeline = builder.to_pipeline()
