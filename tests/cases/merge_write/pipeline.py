"""An incremental silver step that upserts on a key instead of appending."""

from pyspark.sql import DataFrame, SparkSession

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def latest_profiles(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates(["user_id"])


builder = (
    PipelineBuilder(spark=spark, schema="users", table_format="delta")
    .with_bronze_rules(
        name="profile_updates",
        rules={"user_id": ["not_null"], "updated_at": ["not_null"]},
        incremental_col="updated_at",
    )
    .add_silver_transform(
        name="profiles",
        transform=latest_profiles,
        rules={"user_id": ["not_null"], "updated_at": ["not_null"], "email": []},
        table_name="profiles",
        watermark_col="updated_at",
        write_mode="merge",
        merge_keys=["user_id"],
        filter_columns_by_rules=False,
    )
)
