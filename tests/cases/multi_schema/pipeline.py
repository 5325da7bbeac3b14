"""Bronze, silver and gold in different schemas (a multi-tenant layout)."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()
TENANT = "acme"


def tickets(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("tenant", F.lit(TENANT))


def backlog(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["tickets"].filter(F.col("status") == "open").groupBy("tenant").count()


builder = (
    PipelineBuilder(spark=spark, schema=f"{TENANT}_core", pipeline_name=f"{TENANT}_support")
    .with_bronze_rules(
        name="raw_tickets",
        rules={"ticket_id": ["not_null"], "status": ["not_null"]},
        schema=f"{TENANT}_raw",
    )
    .add_silver_transform(
        name="tickets",
        transform=tickets,
        rules={"ticket_id": ["not_null"], "status": [["in", ["open", "closed"]]], "tenant": []},
        table_name="tickets",
        schema=f"{TENANT}_silver",
    )
    .add_gold_transform(
        name="backlog",
        transform=backlog,
        rules={"tenant": ["not_null"], "count": ["non_negative"]},
        table_name="backlog",
        schema="analytics",
    )
)
