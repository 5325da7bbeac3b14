"""`from pyspark.sql.functions import *` with bare `col(...)` in rules and transforms: the job
imports exactly the names it uses."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.functions import *

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def normalise(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("email", lower(trim(col("email"))))


builder = PipelineBuilder(spark=spark, schema="crm")
builder.with_bronze_rules(
    name="contacts",
    rules={
        "contact_id": [col("contact_id").isNotNull()],
        "email": [when(col("email").contains("@"), lit(True)).otherwise(lit(False))],
    },
)
builder.add_silver_transform(
    name="clean_contacts",
    transform=normalise,
    rules={"email": [length(col("email")) > 3]},
    table_name="clean_contacts",
)
