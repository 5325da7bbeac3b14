r"""Pipeline 'crm_contacts': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 c72b34e40130f97c88ed28458f6639dfd4a9ab2b4be4941f87bbd5f386ee099f).
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

# rule_library.py:3
from pyspark.sql import functions as F

# pipeline.py:5
from pyspark.sql import DataFrame, SparkSession

# rule_library.py:5
EMAIL = r"^[^@\s]+@[^@\s]+\.[a-z]+$"


# rule_library.py:8
def valid_email(column):
    return column.rlike(EMAIL)


# rule_library.py:12
def between(name, low, high):
    return F.col(name).between(low, high)


# pipeline.py:34
def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("email", F.lower(F.trim("email")))


def bronze_contacts() -> StepSpec:
    """Bronze step 'contacts' (pipeline.py:39): reads sf_helpers.contacts unless --source binds it."""
    return StepSpec(
        name="contacts",
        layer="bronze",
        threshold=80.0,
        table="sf_helpers.contacts",
        keep_columns=("contact_id", "account_id", "age", "email"),
        rules=(
            Rule("contact_id", "not_null", F.col("contact_id").isNotNull()),
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("age", None, between("age", 0, 130)),
        ),
    )


def silver_clean_contacts() -> StepSpec:
    """Silver step 'clean_contacts' (pipeline.py:43): writes sf_helpers.clean_contacts."""
    return StepSpec(
        name="clean_contacts",
        layer="silver",
        threshold=90.0,
        table="sf_helpers.clean_contacts",
        source_bronze="contacts",
        keep_columns=("contact_id", "account_id", "email"),
        transform=clean,
        rules=(
            Rule("contact_id", "not_null", F.col("contact_id").isNotNull()),
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("email", None, valid_email(F.col("email"))),
        ),
    )


JOB = JobDefinition(
    pipeline_name="crm_contacts",
    source_file="pipeline.py",
    source_hash="c72b34e40130f97c88ed28458f6639dfd4a9ab2b4be4941f87bbd5f386ee099f",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=2,
    unified=False,
    log_table="sf_helpers.pipeline_logs",
    steps=(
        PlannedStep(1, "contacts", "bronze", "sf_helpers.contacts"),
        PlannedStep(
            2, "clean_contacts", "silver", "sf_helpers.clean_contacts", upstream=("contacts",)
        ),
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
