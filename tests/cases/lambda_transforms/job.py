r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 4e7e5e18c05d28f7c242a1943cb48188e705c9aa70bcd05a01f9b26ae94de82e).
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

from pyspark.sql import DataFrame

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:4
from pyspark.sql import functions as F

# pipeline.py:15
clicks_transform = (  # noqa: E731
    lambda spark, df, prior: df.withColumn(
        "domain", F.regexp_extract("url", "//([^/]+)", 1)
    )
)


# pipeline.py:21
top_domains_transform = (  # noqa: E731
    lambda spark, silvers: (
        silvers["clicks"]
        .groupBy("domain")
        .agg(F.countDistinct("user_id").alias("users"))
    )
)


def raw_clicks_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_clicks' (pipeline.py:12)."""
    return (
        Rule(
            "url", "not_empty", F.col("url").isNotNull() & (F.length(F.col("url")) > 0)
        ),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
    )


# pipeline.py:12
@step("bronze", "raw_clicks", table="clicks.raw_clicks")
def bronze_raw_clicks(run: StepRun) -> DataFrame:
    """Reads clicks.raw_clicks, or the input bound with --source raw_clicks=....

    Below 80% valid rows it fails; then clicks and top_domains are cancelled.
    """
    df = run.read("clicks.raw_clicks")
    checked = run.validate(df, raw_clicks_rules(), keep=("url", "user_id"))
    run.gate(checked, min_rate=80.0)
    return checked.valid


def clicks_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clicks' (pipeline.py:13)."""
    return (
        Rule("url", "not_null", F.col("url").isNotNull()),
        Rule(
            "domain",
            "not_empty",
            F.col("domain").isNotNull() & (F.length(F.col("domain")) > 0),
        ),
    )


# pipeline.py:13
@step(
    "silver",
    "clicks",
    table="clicks.clicks",
    after=("raw_clicks",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_clicks(run: StepRun) -> DataFrame:
    """raw_clicks -> clicks.clicks: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 85% valid rows it fails and writes nothing; then top_domains is
    cancelled.
    """
    raw_clicks = run.output("raw_clicks")
    priors = run.declared({}, argument="depends_on")
    df = clicks_transform(run.spark, raw_clicks, priors)
    checked = run.validate(df, clicks_rules(), keep=("url", "domain", "user_id"))
    run.gate(checked, min_rate=85.0)
    run.publish(checked)
    return checked.valid


def top_domains_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'top_domains' (pipeline.py:19)."""
    return (
        Rule("domain", "not_null", F.col("domain").isNotNull()),
        Rule("users", "positive", F.col("users") > 0),
    )


# pipeline.py:19
@step(
    "gold",
    "top_domains",
    table="clicks.top_domains",
    after=("clicks",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_top_domains(run: StepRun) -> DataFrame:
    """clicks -> clicks.top_domains: recomputed from the whole silver tables and
    replaced in every run.

    It is never skipped: clicks replaces its table (or merges into it) in every
    run.

    Below 90% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"clicks": run.whole("clicks", "clicks.clicks")}, argument="source_silvers"
    )
    df = top_domains_transform(run.spark, silvers)
    checked = run.validate(df, top_domains_rules(), keep=("domain", "users"))
    run.gate(checked, min_rate=90.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="clicks.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="4e7e5e18c05d28f7c242a1943cb48188e705c9aa70bcd05a01f9b26ae94de82e",
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
            (bronze_raw_clicks,),  # stage 1
            (silver_clicks,),  # stage 2
            (gold_top_domains,),  # stage 3
        ),
        parallel=True,
        max_workers=2,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
