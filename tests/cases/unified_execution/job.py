r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 589c8f72db33fcb3093f4779a68c318c146f779ed8bff2bcbcee7b5fa0faa48f).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 bronze, 2 silver, 1 gold in 3 stages.

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

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:11
def logins(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(F.col("ok"))


# pipeline.py:15
def errors(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(~F.col("ok"))


# pipeline.py:19
def login_count(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["logins"].groupBy("user_id").count()


def bronze_raw_auth() -> StepSpec:
    """Bronze step 'raw_auth' (pipeline.py:25): reads auth.raw_auth unless --source binds it."""
    return StepSpec(
        name="raw_auth",
        layer="bronze",
        threshold=95.0,
        table="auth.raw_auth",
        keep_columns=("user_id", "ok"),
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("ok", "not_null", F.col("ok").isNotNull()),
        ),
    )


def silver_logins() -> StepSpec:
    """Silver step 'logins' (pipeline.py:26): writes auth.logins."""
    return StepSpec(
        name="logins",
        layer="silver",
        threshold=98.0,
        table="auth.logins",
        source_bronze="raw_auth",
        keep_columns=("user_id",),
        transform=logins,
        rules=(Rule("user_id", "not_null", F.col("user_id").isNotNull()),),
    )


def silver_errors() -> StepSpec:
    """Silver step 'errors' (pipeline.py:29): writes auth.errors."""
    return StepSpec(
        name="errors",
        layer="silver",
        threshold=98.0,
        table="auth.errors",
        source_bronze="raw_auth",
        keep_columns=("user_id",),
        transform=errors,
        rules=(Rule("user_id", "not_null", F.col("user_id").isNotNull()),),
    )


def gold_login_count() -> StepSpec:
    """Gold step 'login_count' (pipeline.py:36): writes auth.login_count."""
    return StepSpec(
        name="login_count",
        layer="gold",
        threshold=99.0,
        table="auth.login_count",
        source_silvers=("logins",),
        keep_columns=("user_id", "count"),
        transform=login_count,
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("count", "positive", F.col("count") > 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="589c8f72db33fcb3093f4779a68c318c146f779ed8bff2bcbcee7b5fa0faa48f",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=6,
    unified=True,
    log_table="auth.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_auth", "bronze", "auth.raw_auth"),
        PlannedStep(2, "errors", "silver", "auth.errors", upstream=("raw_auth",)),
        PlannedStep(2, "logins", "silver", "auth.logins", upstream=("raw_auth",)),
        PlannedStep(3, "login_count", "gold", "auth.login_count", upstream=("logins",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    # Unified execution: a step starts as soon as the steps it needs are done.
    stages = (
        (bronze_raw_auth,),  # stage 1
        (silver_errors, silver_logins),  # stage 2, parallel
        (gold_login_count,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
