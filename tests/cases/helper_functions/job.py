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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

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


def contacts_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'contacts' (pipeline.py:39)."""
    return (
        Rule("contact_id", "not_null", F.col("contact_id").isNotNull()),
        Rule("account_id", "not_null", F.col("account_id").isNotNull()),
        Rule("age", None, between("age", 0, 130)),
    )


# pipeline.py:39
@step("bronze", "contacts", table="sf_helpers.contacts")
def bronze_contacts(run: StepRun) -> DataFrame:
    """Reads sf_helpers.contacts, or the input bound with --source contacts=....

    Below 80% valid rows it fails; then clean_contacts is cancelled.
    """
    df = run.read("sf_helpers.contacts")
    checked = run.validate(
        df, contacts_rules(), keep=("contact_id", "account_id", "age", "email")
    )
    run.gate(checked, min_rate=80.0)
    return checked.valid


def clean_contacts_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_contacts' (pipeline.py:43)."""
    return (
        Rule("contact_id", "not_null", F.col("contact_id").isNotNull()),
        Rule("account_id", "not_null", F.col("account_id").isNotNull()),
        Rule("email", None, valid_email(F.col("email"))),
    )


# pipeline.py:43
@step(
    "silver",
    "clean_contacts",
    table="sf_helpers.clean_contacts",
    after=("contacts",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_clean_contacts(run: StepRun) -> DataFrame:
    """contacts -> sf_helpers.clean_contacts: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 90% valid rows it fails and writes nothing.
    """
    contacts = run.output("contacts")
    priors = run.declared({}, argument="depends_on")
    df = clean(run.spark, contacts, priors)
    checked = run.validate(
        df, clean_contacts_rules(), keep=("contact_id", "account_id", "email")
    )
    run.gate(checked, min_rate=90.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="crm_contacts",
    log_table="sf_helpers.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="c72b34e40130f97c88ed28458f6639dfd4a9ab2b4be4941f87bbd5f386ee099f",
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
            (bronze_contacts,),  # stage 1
            (silver_clean_contacts,),  # stage 2
        ),
        parallel=True,
        max_workers=2,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
