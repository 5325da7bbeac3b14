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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:11
def sessions(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.filter(F.col("event") != "heartbeat")


# pipeline.py:15
def active_users(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["sessions"].groupBy("user_id").count()


def raw_events_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_events' (pipeline.py:20)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule(
            "event",
            "not_empty",
            F.col("event").isNotNull() & (F.length(F.col("event")) > 0),
        ),
    )


# pipeline.py:20
@step("bronze", "raw_events", table="events.raw_events")
def bronze_raw_events(run: StepRun) -> DataFrame:
    """Reads events.raw_events, or the input bound with --source raw_events=....

    Below 90% valid rows it fails; then sessions and active_users are cancelled.
    """
    df = run.read("events.raw_events")
    checked = run.validate(df, raw_events_rules(), keep=("user_id", "event"))
    run.gate(checked, min_rate=90.0)
    return checked.valid


def sessions_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'sessions' (pipeline.py:21)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("event", "not_null", F.col("event").isNotNull()),
    )


# pipeline.py:21
@step(
    "silver",
    "sessions",
    table="events.sessions",
    after=("raw_events",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_sessions(run: StepRun) -> DataFrame:
    """raw_events -> events.sessions: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then active_users is
    cancelled.
    """
    raw_events = run.output("raw_events")
    priors = run.declared({}, argument="depends_on")
    df = sessions(run.spark, raw_events, priors)
    checked = run.validate(df, sessions_rules(), keep=("user_id", "event"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def active_users_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'active_users' (pipeline.py:27)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("count", "positive", F.col("count") > 0),
    )


# pipeline.py:27
@step(
    "gold",
    "active_users",
    table="events.active_users",
    after=("sessions",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_active_users(run: StepRun) -> DataFrame:
    """sessions -> events.active_users: recomputed from the whole silver tables and
    replaced in every run.

    It is never skipped: sessions replaces its table (or merges into it) in
    every run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"sessions": run.whole("sessions", "events.sessions")},
        argument="source_silvers",
    )
    df = active_users(run.spark, silvers)
    checked = run.validate(df, active_users_rules(), keep=("user_id", "count"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="events.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="bce9d9ba149e7b062a6659106097259d554b6533f7d97bbaac40bce12db19273",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options.

    Steps run stage by stage; a failed step writes nothing and cancels the steps
    that need it (its docstring names them), the others still run. Exit code:
    0 every step completed, 1 a step failed, 2 bad arguments or environment.
    """
    plan = Plan(
        stages=(
            (bronze_raw_events,),  # stage 1
            (silver_sessions,),  # stage 2
            (gold_active_users,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
