r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 f9e9d372e9875354bac3e9cf2d9d44fe45a19693688f1e2317641b125b0fd1c1).
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

# pipeline.py:4
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:5
from pyspark.sql.functions import col, length, lit, lower, trim, when


# pipeline.py:12
def normalise(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("email", lower(trim(col("email"))))


def bronze_contacts() -> StepSpec:
    """Bronze step 'contacts' (pipeline.py:17): reads crm.contacts unless --source binds it."""
    return StepSpec(
        name="contacts",
        layer="bronze",
        threshold=95.0,
        table="crm.contacts",
        keep_columns=("contact_id", "email"),
        rules=(
            Rule("contact_id", None, col("contact_id").isNotNull()),
            Rule("email", None, when(col("email").contains("@"), lit(True)).otherwise(lit(False))),
        ),
    )


def silver_clean_contacts() -> StepSpec:
    """Silver step 'clean_contacts' (pipeline.py:24): writes crm.clean_contacts."""
    return StepSpec(
        name="clean_contacts",
        layer="silver",
        threshold=98.0,
        table="crm.clean_contacts",
        source_bronze="contacts",
        keep_columns=("email",),
        transform=normalise,
        rules=(Rule("email", None, length(col("email")) > 3),),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="f9e9d372e9875354bac3e9cf2d9d44fe45a19693688f1e2317641b125b0fd1c1",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="crm.pipeline_logs",
    steps=(
        PlannedStep(1, "contacts", "bronze", "crm.contacts"),
        PlannedStep(2, "clean_contacts", "silver", "crm.clean_contacts", upstream=("contacts",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_contacts,),  # stage 1
        (silver_clean_contacts,),  # stage 2
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
