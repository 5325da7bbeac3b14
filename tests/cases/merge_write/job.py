r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 2e4b99a001786af41ac16410fb0066dbc28702092d733a0255ee1cd3cfffd2d6).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 bronze, 1 silver in 2 stages.

Run it with:

    spark-submit \
      --packages io.delta:delta-spark_4.1_2.13:4.4.0 \
      --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
      --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
      --conf spark.sql.adaptive.optimizer.excludedRules=org.apache.spark.sql.execution.adaptive.AQEPropagateEmptyRelation \
      --conf spark.scheduler.mode=FAIR \
      --py-files sparkforge_runtime.zip \
      job.py --mode incremental

Modes: initial | incremental (default) | full-refresh | validation-only.
Bind a bronze input with --source NAME=TABLE_OR_PATH; `python job.py --help` lists every option.
"""

from __future__ import annotations

import sys

from pyspark.sql import functions as F

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession


# pipeline.py:10
def latest_profiles(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates(["user_id"])


def bronze_profile_updates() -> StepSpec:
    """Bronze step 'profile_updates' (pipeline.py:16): reads users.profile_updates unless --source binds it."""
    return StepSpec(
        name="profile_updates",
        layer="bronze",
        threshold=95.0,
        table="users.profile_updates",
        incremental_col="updated_at",
        keep_columns=("user_id", "updated_at"),
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
        ),
    )


def silver_profiles() -> StepSpec:
    """Silver step 'profiles' (pipeline.py:21): writes users.profiles."""
    return StepSpec(
        name="profiles",
        layer="silver",
        threshold=98.0,
        table="users.profiles",
        source_bronze="profile_updates",
        watermark_col="updated_at",
        write_mode="merge",
        merge_keys=("user_id",),
        transform=latest_profiles,
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
        ),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="2e4b99a001786af41ac16410fb0066dbc28702092d733a0255ee1cd3cfffd2d6",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="users.pipeline_logs",
    steps=(
        PlannedStep(1, "profile_updates", "bronze", "users.profile_updates", incremental=True),
        PlannedStep(
            2,
            "profiles",
            "silver",
            "users.profiles",
            upstream=("profile_updates",),
            incremental=True,
            write_mode="merge",
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_profile_updates,),  # stage 1
        (silver_profiles,),  # stage 2
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
