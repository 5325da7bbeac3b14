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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession


# pipeline.py:10
def latest_profiles(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.dropDuplicates(["user_id"])


def profile_updates_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'profile_updates' (pipeline.py:16)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
    )


# pipeline.py:16
@step(
    "bronze", "profile_updates", table="users.profile_updates", watermark="updated_at"
)
def bronze_profile_updates(run: StepRun) -> DataFrame:
    """Reads users.profile_updates, or the input bound with --source
    profile_updates=...; in incremental runs only the rows whose updated_at is
    newer than what users.profiles last covered.

    Below 95% valid rows it fails; then profiles is cancelled.
    """
    df = run.read("users.profile_updates")
    if run.incremental:
        since = run.oldest_watermark(("users.profiles", "updated_at"))
        df = run.newer_than(df, "updated_at", since)
    checked = run.validate(
        df,
        profile_updates_rules(),
        keep=("user_id", "updated_at"),
        watermark="updated_at",
    )
    run.gate(checked, min_rate=95.0)
    return checked.valid


def profiles_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'profiles' (pipeline.py:21)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
    )


# pipeline.py:21
@step(
    "silver",
    "profiles",
    table="users.profiles",
    after=("profile_updates",),
    initial="overwrite",
    incremental="merge",
    full_refresh="overwrite",
    merge_keys=("user_id",),
)
def silver_profiles(run: StepRun) -> DataFrame:
    """profile_updates -> users.profiles: in incremental runs it merges on user_id
    the rows newer than its watermark (updated_at); otherwise it replaces the
    table.

    In incremental runs it is skipped when profile_updates passed on no new
    rows.

    Below 98% valid rows it fails and writes nothing.
    """
    since = run.watermark("users.profiles", "updated_at") if run.incremental else None
    if since is not None and run.no_new_rows("profile_updates"):
        return run.skip("no new rows in profile_updates")
    profile_updates = run.newer_than(run.output("profile_updates"), "updated_at", since)
    priors = run.declared({}, argument="depends_on")
    df = latest_profiles(run.spark, profile_updates, priors)
    checked = run.validate(df, profiles_rules(), watermark="updated_at")
    run.gate(checked, min_rate=98.0)
    run.publish(checked, covered=run.covered("profile_updates", since))
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="users.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="2e4b99a001786af41ac16410fb0066dbc28702092d733a0255ee1cd3cfffd2d6",
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
            (bronze_profile_updates,),  # stage 1
            (silver_profiles,),  # stage 2
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
