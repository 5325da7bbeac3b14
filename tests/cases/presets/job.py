r"""Pipeline 'billing': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 de936422f4fd5a94d7e80c734c549a0bcaa0325fad1bbd6bf0ef0930ca9b4eb0).
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
def dedupe(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates(["invoice_id"])


def bronze_invoices() -> StepSpec:
    """Bronze step 'invoices' (pipeline.py:17): reads billing.invoices unless --source binds it."""
    return StepSpec(
        name="invoices",
        layer="bronze",
        threshold=95.0,
        table="billing.invoices",
        keep_columns=("invoice_id", "total"),
        rules=(
            Rule("invoice_id", "not_null", F.col("invoice_id").isNotNull()),
            Rule("total", "positive", F.col("total") > 0),
        ),
    )


def silver_unique_invoices() -> StepSpec:
    """Silver step 'unique_invoices' (pipeline.py:18): writes billing.unique_invoices."""
    return StepSpec(
        name="unique_invoices",
        layer="silver",
        threshold=98.0,
        table="billing.unique_invoices",
        source_bronze="invoices",
        keep_columns=("invoice_id", "total"),
        transform=dedupe,
        rules=(
            Rule("invoice_id", "not_null", F.col("invoice_id").isNotNull()),
            Rule("total", "positive", F.col("total") > 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="billing",
    source_file="pipeline.py",
    source_hash="de936422f4fd5a94d7e80c734c549a0bcaa0325fad1bbd6bf0ef0930ca9b4eb0",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=2,
    unified=False,
    log_table="billing.pipeline_logs",
    steps=(
        PlannedStep(1, "invoices", "bronze", "billing.invoices"),
        PlannedStep(
            2, "unique_invoices", "silver", "billing.unique_invoices", upstream=("invoices",)
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_invoices,),  # stage 1
        (silver_unique_invoices,),  # stage 2
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
