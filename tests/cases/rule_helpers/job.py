r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 a87262a322fccc2deaecf58a56400407c433e83e8752a87f54c7e24b57553b2b).
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

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession


# pipeline.py:10
def accounts(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates(["account_id"])


def bronze_raw_accounts() -> StepSpec:
    """Bronze step 'raw_accounts' (pipeline.py:15): reads crm.raw_accounts unless --source binds it."""
    return StepSpec(
        name="raw_accounts",
        layer="bronze",
        threshold=95.0,
        table="crm.raw_accounts",
        keep_columns=("account_id", "created_at", "name"),
        rules=(
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("created_at", "not_null", F.col("created_at").isNotNull()),
            Rule("name", "not_empty", F.col("name").isNotNull() & (F.length(F.col("name")) > 0)),
        ),
    )


def silver_accounts() -> StepSpec:
    """Silver step 'accounts' (pipeline.py:22): writes crm.accounts."""
    return StepSpec(
        name="accounts",
        layer="silver",
        threshold=98.0,
        table="crm.accounts",
        source_bronze="raw_accounts",
        keep_columns=("account_id", "seats", "name"),
        transform=accounts,
        rules=(
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("seats", "positive", F.col("seats") > 0),
            Rule("name", "not_empty", F.col("name").isNotNull() & (F.length(F.col("name")) > 0)),
        ),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="a87262a322fccc2deaecf58a56400407c433e83e8752a87f54c7e24b57553b2b",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="crm.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_accounts", "bronze", "crm.raw_accounts"),
        PlannedStep(2, "accounts", "silver", "crm.accounts", upstream=("raw_accounts",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_accounts,),  # stage 1
        (silver_accounts,),  # stage 2
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
