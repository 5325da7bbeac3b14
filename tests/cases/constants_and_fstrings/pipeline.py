"""Names and options from module constants and f-strings of constants."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()

ENV = "staging"
SCHEMA = f"{ENV}_marketing"
PREFIX = "campaign"
BRONZE_RATE = 85.0
WORKERS = 3
CAMPAIGN_RULES = {"campaign_id": ["not_null"], "budget": ["non_negative"]}


def campaigns(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("budget", F.coalesce("budget", F.lit(0.0)))


builder = (
    PipelineBuilder(
        spark=spark,
        schema=SCHEMA,
        min_bronze_rate=BRONZE_RATE,
        max_parallel_workers=WORKERS,
        pipeline_name=f"{ENV}-marketing",
        log_table=f"{SCHEMA}.run_log",
    )
    .with_bronze_rules(name=f"raw_{PREFIX}s", rules=CAMPAIGN_RULES)
    .add_silver_transform(
        name=f"{PREFIX}s",
        transform=campaigns,
        rules=CAMPAIGN_RULES,
        table_name=f"{PREFIX}s_clean",
        description=f"Clean {PREFIX}s for {ENV}.",
    )
)
