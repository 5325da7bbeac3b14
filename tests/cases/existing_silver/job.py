r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 6745bb09131233df51cb3f6597c0d2cd6338de592db651a1bbd1b5e4dae56cad).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 silver, 1 gold in 2 stages.

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
def country_counts(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["customers"].groupBy("country").agg(F.count("*").alias("customers"))


def silver_customers() -> StepSpec:
    """Silver step 'customers' (pipeline.py:17): validates the existing table crm.customers_v2."""
    return StepSpec(
        name="customers",
        layer="silver",
        threshold=75.0,
        table="crm.customers_v2",
        keep_columns=("customer_id", "country"),
        existing=True,
        rules=(
            Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
            Rule("country", "not_null", F.col("country").isNotNull()),
        ),
    )


def gold_country_counts() -> StepSpec:
    """Gold step 'country_counts' (pipeline.py:22): writes crm.country_counts."""
    return StepSpec(
        name="country_counts",
        layer="gold",
        threshold=80.0,
        table="crm.country_counts",
        source_silvers=("customers",),
        keep_columns=("country", "customers"),
        transform=country_counts,
        rules=(
            Rule("country", "not_null", F.col("country").isNotNull()),
            Rule("customers", "positive", F.col("customers") > 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="6745bb09131233df51cb3f6597c0d2cd6338de592db651a1bbd1b5e4dae56cad",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=False,
    max_workers=1,
    unified=False,
    log_table="crm.pipeline_logs",
    steps=(
        PlannedStep(1, "customers", "silver", "crm.customers_v2", existing=True),
        PlannedStep(2, "country_counts", "gold", "crm.country_counts", upstream=("customers",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (silver_customers,),  # stage 1
        (gold_country_counts,),  # stage 2
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
