r"""Pipeline 'staging-marketing': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 043f4c28a2e5641bf84e7fab730b5cbf58da0a92f2e1c2e62f6233f243ed5120).
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

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:18
def campaigns(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("budget", F.coalesce("budget", F.lit(0.0)))


def bronze_raw_campaigns() -> StepSpec:
    """Bronze step 'raw_campaigns' (pipeline.py:31): reads staging_marketing.raw_campaigns unless --source binds it."""
    return StepSpec(
        name="raw_campaigns",
        layer="bronze",
        threshold=85.0,
        table="staging_marketing.raw_campaigns",
        keep_columns=("campaign_id", "budget"),
        rules=(
            Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
            Rule("budget", "non_negative", F.col("budget") >= 0),
        ),
    )


# Clean campaigns for staging.
def silver_campaigns() -> StepSpec:
    """Silver step 'campaigns' (pipeline.py:32): writes staging_marketing.campaigns_clean."""
    return StepSpec(
        name="campaigns",
        layer="silver",
        threshold=98.0,
        table="staging_marketing.campaigns_clean",
        source_bronze="raw_campaigns",
        keep_columns=("campaign_id", "budget"),
        transform=campaigns,
        rules=(
            Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
            Rule("budget", "non_negative", F.col("budget") >= 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="staging-marketing",
    source_file="pipeline.py",
    source_hash="043f4c28a2e5641bf84e7fab730b5cbf58da0a92f2e1c2e62f6233f243ed5120",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=3,
    unified=False,
    log_table="staging_marketing.run_log",
    steps=(
        PlannedStep(1, "raw_campaigns", "bronze", "staging_marketing.raw_campaigns"),
        PlannedStep(
            2,
            "campaigns",
            "silver",
            "staging_marketing.campaigns_clean",
            upstream=("raw_campaigns",),
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_campaigns,),  # stage 1
        (silver_campaigns,),  # stage 2
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
