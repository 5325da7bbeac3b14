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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

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


def raw_auth_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_auth' (pipeline.py:25)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("ok", "not_null", F.col("ok").isNotNull()),
    )


# pipeline.py:25
@step("bronze", "raw_auth", table="auth.raw_auth")
def bronze_raw_auth(run: StepRun) -> DataFrame:
    """Reads auth.raw_auth, or the input bound with --source raw_auth=....

    Below 95% valid rows it fails; then errors, logins and login_count are
    cancelled.
    """
    df = run.read("auth.raw_auth")
    checked = run.validate(df, raw_auth_rules(), keep=("user_id", "ok"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def logins_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'logins' (pipeline.py:26)."""
    return (Rule("user_id", "not_null", F.col("user_id").isNotNull()),)


# pipeline.py:26
@step(
    "silver",
    "logins",
    table="auth.logins",
    after=("raw_auth",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_logins(run: StepRun) -> DataFrame:
    """raw_auth -> auth.logins: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then login_count is
    cancelled.
    """
    raw_auth = run.output("raw_auth")
    priors = run.declared({}, argument="depends_on")
    df = logins(run.spark, raw_auth, priors)
    checked = run.validate(df, logins_rules(), keep=("user_id",))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def errors_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'errors' (pipeline.py:29)."""
    return (Rule("user_id", "not_null", F.col("user_id").isNotNull()),)


# pipeline.py:29
@step(
    "silver",
    "errors",
    table="auth.errors",
    after=("raw_auth",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_errors(run: StepRun) -> DataFrame:
    """raw_auth -> auth.errors: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing.
    """
    raw_auth = run.output("raw_auth")
    priors = run.declared({}, argument="depends_on")
    df = errors(run.spark, raw_auth, priors)
    checked = run.validate(df, errors_rules(), keep=("user_id",))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def login_count_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'login_count' (pipeline.py:36)."""
    return (
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("count", "positive", F.col("count") > 0),
    )


# pipeline.py:36
@step(
    "gold",
    "login_count",
    table="auth.login_count",
    after=("logins",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_login_count(run: StepRun) -> DataFrame:
    """logins -> auth.login_count: recomputed from the whole silver tables and
    replaced in every run.

    It is never skipped: logins replaces its table (or merges into it) in every
    run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"logins": run.whole("logins", "auth.logins")}, argument="source_silvers"
    )
    df = login_count(run.spark, silvers)
    checked = run.validate(df, login_count_rules(), keep=("user_id", "count"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="auth.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="589c8f72db33fcb3093f4779a68c318c146f779ed8bff2bcbcee7b5fa0faa48f",
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
    # Unified: a step starts as soon as the steps it needs are done.
    plan = Plan(
        stages=(
            (bronze_raw_auth,),  # stage 1
            (silver_errors, silver_logins),  # stage 2: side by side
            (gold_login_count,),  # stage 3
        ),
        parallel=True,
        max_workers=6,
        unified=True,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
