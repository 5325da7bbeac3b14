r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 bce9d9ba149e7b062a6659106097259d554b6533f7d97bbaac40bce12db19273).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 bronze, 1 silver, 1 gold in 3 stages.

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
def sessions(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(F.col("event") != "heartbeat")


# pipeline.py:15
def active_users(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["sessions"].groupBy("user_id").count()


def bronze_raw_events() -> StepSpec:
    """Bronze step 'raw_events' (pipeline.py:20): reads events.raw_events unless --source binds it."""
    return StepSpec(
        name="raw_events",
        layer="bronze",
        threshold=90.0,
        table="events.raw_events",
        keep_columns=("user_id", "event"),
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("event", "not_empty", F.col("event").isNotNull() & (F.length(F.col("event")) > 0)),
        ),
    )


def silver_sessions() -> StepSpec:
    """Silver step 'sessions' (pipeline.py:21): writes events.sessions."""
    return StepSpec(
        name="sessions",
        layer="silver",
        threshold=98.0,
        table="events.sessions",
        source_bronze="raw_events",
        keep_columns=("user_id", "event"),
        transform=sessions,
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("event", "not_null", F.col("event").isNotNull()),
        ),
    )


def gold_active_users() -> StepSpec:
    """Gold step 'active_users' (pipeline.py:27): writes events.active_users."""
    return StepSpec(
        name="active_users",
        layer="gold",
        threshold=99.0,
        table="events.active_users",
        source_silvers=("sessions",),
        keep_columns=("user_id", "count"),
        transform=active_users,
        rules=(
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("count", "positive", F.col("count") > 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="bce9d9ba149e7b062a6659106097259d554b6533f7d97bbaac40bce12db19273",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="events.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_events", "bronze", "events.raw_events"),
        PlannedStep(2, "sessions", "silver", "events.sessions", upstream=("raw_events",)),
        PlannedStep(3, "active_users", "gold", "events.active_users", upstream=("sessions",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_events,),  # stage 1
        (silver_sessions,),  # stage 2
        (gold_active_users,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
