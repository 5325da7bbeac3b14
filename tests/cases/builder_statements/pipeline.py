"""Events pipeline written as statements on a builder variable."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def sessions(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(F.col("event") != "heartbeat")


def active_users(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["sessions"].groupBy("user_id").count()


builder = PipelineBuilder(spark=spark, schema="events", min_bronze_rate=90.0, verbose=False)
builder.with_bronze_rules(name="raw_events", rules={"user_id": ["not_null"], "event": ["not_empty"]})
builder.add_silver_transform(
    name="sessions",
    transform=sessions,
    rules={"user_id": ["not_null"], "event": ["not_null"]},
    table_name="sessions",
)
builder.add_gold_transform(
    name="active_users",
    transform=active_users,
    rules={"user_id": ["not_null"], "count": ["positive"]},
    table_name="active_users",
)
pipeline = builder.to_pipeline()
