r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 760de263f8ad1ed140b37e93b2767a5764dfde5216c09676da9a07b4980c5e39).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 bronze, 2 silver, 2 gold in 3 stages.

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

# pipeline.py:6
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:7
from pyspark.sql import functions as F


# pipeline.py:13
def latest_by(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict, *, key: str
) -> DataFrame:
    return bronze_df.dropDuplicates([key, "ts"])


# pipeline.py:17
def totals(
    spark: SparkSession, silvers: dict, source: str, keys: tuple = ("user_id",)
) -> DataFrame:
    return silvers[source].groupBy(*keys).agg(F.count("*").alias("events"))


# pipeline.py:21
def active_users(spark: SparkSession, silvers: dict, minimum: int = 0) -> DataFrame:
    return (
        silvers["by_event"]
        .groupBy("user_id")
        .agg(F.max("ts").alias("last_seen"), F.count("*").alias("events"))
        .filter(F.col("events") >= minimum)
    )


def raw_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw' (pipeline.py:32)."""
    return (
        Rule("event_id", "not_null", F.col("event_id").isNotNull()),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("ts", "not_null", F.col("ts").isNotNull()),
    )


# pipeline.py:32
@step("bronze", "raw", table="events.raw", watermark="ts")
def bronze_raw(run: StepRun) -> DataFrame:
    """Reads events.raw, or the input bound with --source raw=...; in incremental
    runs only the rows whose ts is newer than what events.by_event and
    events.by_user last covered.

    Below 95% valid rows it fails; then by_event, by_user, active_users and
    user_totals are cancelled.
    """
    df = run.read("events.raw")
    if run.incremental:
        since = run.oldest_watermark(
            ("events.by_event", "ts"), ("events.by_user", "ts")
        )
        df = run.newer_than(df, "ts", since)
    checked = run.validate(
        df, raw_rules(), keep=("event_id", "user_id", "ts"), watermark="ts"
    )
    run.gate(checked, min_rate=95.0)
    return checked.valid


# pipeline.py:33
@step(
    "silver",
    "by_event",
    table="events.by_event",
    after=("raw",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_by_event(run: StepRun) -> DataFrame:
    """raw -> events.by_event: in incremental runs it appends the rows newer than
    its watermark (ts); otherwise it replaces the table.

    In incremental runs it is skipped when raw passed on no new rows.

    Below 98% valid rows it fails and writes nothing; then active_users is
    cancelled.
    """
    since = run.watermark("events.by_event", "ts") if run.incremental else None
    if since is not None and run.no_new_rows("raw"):
        return run.skip("no new rows in raw")
    raw = run.newer_than(run.output("raw"), "ts", since)
    priors = run.declared({}, argument="depends_on")
    df = latest_by(run.spark, raw, priors, key="event_id")
    checked = run.validate(
        df, raw_rules(), keep=("event_id", "user_id", "ts"), watermark="ts"
    )
    run.gate(checked, min_rate=98.0)
    run.publish(checked, covered=run.covered("raw", since))
    return checked.valid


# pipeline.py:41
@step(
    "silver",
    "by_user",
    table="events.by_user",
    after=("raw",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_by_user(run: StepRun) -> DataFrame:
    """raw -> events.by_user: in incremental runs it appends the rows newer than
    its watermark (ts); otherwise it replaces the table.

    In incremental runs it is skipped when raw passed on no new rows.

    Below 98% valid rows it fails and writes nothing; then user_totals is
    cancelled.
    """
    since = run.watermark("events.by_user", "ts") if run.incremental else None
    if since is not None and run.no_new_rows("raw"):
        return run.skip("no new rows in raw")
    raw = run.newer_than(run.output("raw"), "ts", since)
    priors = run.declared({}, argument="depends_on")
    df = latest_by(run.spark, raw, priors, key="user_id")
    checked = run.validate(
        df, raw_rules(), keep=("event_id", "user_id", "ts"), watermark="ts"
    )
    run.gate(checked, min_rate=98.0)
    run.publish(checked, covered=run.covered("raw", since))
    return checked.valid


def user_totals_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'user_totals' (pipeline.py:49)."""
    return (Rule("user_id", "not_null", F.col("user_id").isNotNull()),)


# pipeline.py:49
@step(
    "gold",
    "user_totals",
    table="events.user_totals",
    after=("by_user",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_user_totals(run: StepRun) -> DataFrame:
    """by_user -> events.user_totals: recomputed from the whole silver tables and
    replaced in every run.

    In incremental runs it is skipped when neither by_user nor its code changed
    since its last run; otherwise it recomputes in full: it does not start from
    silvers["name"] at pipeline.py:18.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("events.by_user", code="25d0975ce798"):
        return run.skip("by_user did not change since its last run")
    silvers = run.declared(
        {"by_user": run.whole("by_user", "events.by_user")}, argument="source_silvers"
    )
    df = totals(run.spark, silvers, source="by_user", keys=["user_id"])
    checked = run.validate(df, user_totals_rules(), keep=("user_id",))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


def active_users_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'active_users' (pipeline.py:56)."""
    return (Rule("user_id", "not_null", F.col("user_id").isNotNull()),)


# pipeline.py:56
@step(
    "gold",
    "active_users",
    table="events.active_users",
    after=("by_event",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
    refresh_by=("user_id",),
)
def gold_active_users(run: StepRun) -> DataFrame:
    """by_event -> events.active_users: recomputed from the whole silver tables and
    replaced in initial and full-refresh runs.

    In incremental runs it is skipped when neither by_event nor its code changed
    since its last run; otherwise it recomputes only the groups (by user_id)
    that the new rows of by_event touch and merges them into the table, deleting
    groups that no longer produce a row.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("events.by_event", code="3448499cdd1f"):
        return run.skip("by_event did not change since its last run")
    groups = run.changed_groups("by_event", "events.by_event")
    silvers = run.declared(
        {"by_event": run.in_groups(run.whole("by_event", "events.by_event"), groups)},
        argument="source_silvers",
    )
    df = active_users(run.spark, silvers, minimum=2)
    checked = run.validate(df, active_users_rules(), keep=("user_id",))
    run.gate(checked, min_rate=99.0)
    run.publish_groups(checked, groups)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="events.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="760de263f8ad1ed140b37e93b2767a5764dfde5216c09676da9a07b4980c5e39",
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
            (bronze_raw,),  # stage 1
            (silver_by_event, silver_by_user),  # stage 2: side by side
            (gold_active_users, gold_user_totals),  # stage 3: side by side
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
