"""Rules from the builder's helpers, combined with dict literals."""

from pyspark.sql import DataFrame, SparkSession

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def accounts(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates(["account_id"])


builder = PipelineBuilder(spark=spark, schema="crm")
builder.with_bronze_rules(
    name="raw_accounts",
    rules={
        **PipelineBuilder.not_null_rules(["account_id", "created_at"]),
        **PipelineBuilder.string_not_empty_rules(["name"]),
    },
)
builder.add_silver_transform(
    name="accounts",
    transform=accounts,
    rules=PipelineBuilder.not_null_rules(["account_id"])
    | PipelineBuilder.positive_number_rules(["seats"])
    | {"name": ["not_empty"]},
    table_name="accounts",
)
