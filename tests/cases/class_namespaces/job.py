r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 6455a2eee7dd193e29b56f0b485e8076793b8b6b6dbdb5b94d41d3363a4ce566).
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
from enum import StrEnum

# pipeline.py:4
from typing import ClassVar

# pipeline.py:6
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:7
from pyspark.sql import functions as F

# pipeline.py:10
SCHEMA_PREFIX = "ops"


# pipeline.py:13
class Settings:
    SCHEMA = f"{SCHEMA_PREFIX}_metrics"
    KEY = "host"
    RULES: ClassVar[dict[str, list]] = {KEY: ["not_null"], "cpu": [["between", 0, 100]]}
    MIN_SILVER = 97.5


# pipeline.py:20
class Step(StrEnum):
    RAW = "raw_metrics"
    CLEAN = "clean_metrics"
    HOURLY = "hourly_load"


# pipeline.py:28
def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("hour", F.date_trunc("hour", "ts"))


# pipeline.py:31
def hourly(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers[Step.CLEAN.value]
        .groupBy(Settings.KEY, "hour")
        .agg(F.avg("cpu").alias("cpu"))
    )


def raw_metrics_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_metrics' (pipeline.py:37)."""
    return (
        Rule("host", "not_null", F.col("host").isNotNull()),
        Rule("cpu", "between(0, 100)", F.col("cpu").between(0, 100)),
        Rule("ts", "not_null", F.col("ts").isNotNull()),
    )


# pipeline.py:37
@step("bronze", "raw_metrics", table="ops_metrics.raw_metrics")
def bronze_raw_metrics(run: StepRun) -> DataFrame:
    """Reads ops_metrics.raw_metrics, or the input bound with --source
    raw_metrics=....

    Below 95% valid rows it fails; then clean_metrics and hourly are cancelled.
    """
    df = run.read("ops_metrics.raw_metrics")
    checked = run.validate(df, raw_metrics_rules(), keep=("host", "cpu", "ts"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def clean_metrics_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_metrics' (pipeline.py:38)."""
    return (
        Rule("host", "not_null", F.col("host").isNotNull()),
        Rule("cpu", "between(0, 100)", F.col("cpu").between(0, 100)),
        Rule("hour", "not_null", F.col("hour").isNotNull()),
    )


# pipeline.py:38
@step(
    "silver",
    "clean_metrics",
    table="ops_metrics.clean_metrics",
    after=("raw_metrics",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_clean_metrics(run: StepRun) -> DataFrame:
    """raw_metrics -> ops_metrics.clean_metrics: recomputed and replaced in every
    run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 97.5% valid rows it fails and writes nothing; then hourly is
    cancelled.
    """
    raw_metrics = run.output("raw_metrics")
    priors = run.declared({}, argument="depends_on")
    df = clean(run.spark, raw_metrics, priors)
    checked = run.validate(df, clean_metrics_rules(), keep=("host", "cpu", "hour"))
    run.gate(checked, min_rate=97.5)
    run.publish(checked)
    return checked.valid


def hourly_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'hourly' (pipeline.py:45)."""
    return (
        Rule("host", "not_null", F.col("host").isNotNull()),
        Rule("hour", "not_null", F.col("hour").isNotNull()),
    )


# pipeline.py:45
@step(
    "gold",
    "hourly",
    table="ops_metrics.hourly_load",
    after=("clean_metrics",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_hourly(run: StepRun) -> DataFrame:
    """clean_metrics -> ops_metrics.hourly_load: recomputed from the whole silver
    tables and replaced in every run.

    It is never skipped: its transform uses Settings at pipeline.py:32, whose
    source the compiler cannot read.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"clean_metrics": run.whole("clean_metrics", "ops_metrics.clean_metrics")},
        argument="source_silvers",
    )
    df = hourly(run.spark, silvers)
    checked = run.validate(df, hourly_rules(), keep=("host", "hour"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="ops_metrics.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="6455a2eee7dd193e29b56f0b485e8076793b8b6b6dbdb5b94d41d3363a4ce566",
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
            (bronze_raw_metrics,),  # stage 1
            (silver_clean_metrics,),  # stage 2
            (gold_hourly,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
