from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

orders = PipelineBuilder(spark=spark, schema="orders")
orders.with_bronze_rules(name="raw_orders", rules={})

users = PipelineBuilder.for_testing(spark=spark, schema="users")
users.with_bronze_rules(name="raw_users", rules={})
