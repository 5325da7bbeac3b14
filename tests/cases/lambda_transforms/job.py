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

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:4
from pyspark.sql import functions as F

# pipeline.py:15
clicks_transform = (  # noqa: E731
    lambda spark, df, prior: df.withColumn("domain", F.regexp_extract("url", "//([^/]+)", 1))
)


# pipeline.py:21
top_domains_transform = (  # noqa: E731
    lambda spark, silvers: (
        silvers["clicks"].groupBy("domain").agg(F.countDistinct("user_id").alias("users"))
    )
)


def bronze_raw_clicks() -> StepSpec:
    """Bronze step 'raw_clicks' (pipeline.py:12): reads clicks.raw_clicks unless --source binds it."""
    return StepSpec(
        name="raw_clicks",
        layer="bronze",
        threshold=80.0,
        table="clicks.raw_clicks",
        keep_columns=("url", "user_id"),
        rules=(
            Rule("url", "not_empty", F.col("url").isNotNull() & (F.length(F.col("url")) > 0)),
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        ),
    )


def silver_clicks() -> StepSpec:
    """Silver step 'clicks' (pipeline.py:13): writes clicks.clicks."""
    return StepSpec(
        name="clicks",
        layer="silver",
        threshold=85.0,
        table="clicks.clicks",
        source_bronze="raw_clicks",
        keep_columns=("url", "domain", "user_id"),
        transform=clicks_transform,
        rules=(
            Rule("url", "not_null", F.col("url").isNotNull()),
            Rule(
                "domain", "not_empty", F.col("domain").isNotNull() & (F.length(F.col("domain")) > 0)
            ),
        ),
    )


def gold_top_domains() -> StepSpec:
    """Gold step 'top_domains' (pipeline.py:19): writes clicks.top_domains."""
    return StepSpec(
        name="top_domains",
        layer="gold",
        threshold=90.0,
        table="clicks.top_domains",
        source_silvers=("clicks",),
        keep_columns=("domain", "users"),
        transform=top_domains_transform,
        rules=(
            Rule("domain", "not_null", F.col("domain").isNotNull()),
            Rule("users", "positive", F.col("users") > 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="4e7e5e18c05d28f7c242a1943cb48188e705c9aa70bcd05a01f9b26ae94de82e",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=2,
    unified=False,
    log_table="clicks.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_clicks", "bronze", "clicks.raw_clicks"),
        PlannedStep(2, "clicks", "silver", "clicks.clicks", upstream=("raw_clicks",)),
        PlannedStep(3, "top_domains", "gold", "clicks.top_domains", upstream=("clicks",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_clicks,),  # stage 1
        (silver_clicks,),  # stage 2
        (gold_top_domains,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
