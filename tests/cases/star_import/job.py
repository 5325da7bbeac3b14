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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:4
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:5
from pyspark.sql.functions import col, length, lit, lower, trim, when


# pipeline.py:12
def normalise(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.withColumn("email", lower(trim(col("email"))))


def contacts_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'contacts' (pipeline.py:17)."""
    return (
        Rule("contact_id", None, col("contact_id").isNotNull()),
        Rule(
            "email",
            None,
            when(col("email").contains("@"), lit(True)).otherwise(lit(False)),
        ),
    )


# pipeline.py:17
@step("bronze", "contacts", table="crm.contacts")
def bronze_contacts(run: StepRun) -> DataFrame:
    """Reads crm.contacts, or the input bound with --source contacts=....

    Below 95% valid rows it fails; then clean_contacts is cancelled.
    """
    df = run.read("crm.contacts")
    checked = run.validate(df, contacts_rules(), keep=("contact_id", "email"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def clean_contacts_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clean_contacts' (pipeline.py:24)."""
    return (Rule("email", None, length(col("email")) > 3),)


# pipeline.py:24
@step(
    "silver",
    "clean_contacts",
    table="crm.clean_contacts",
    after=("contacts",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_clean_contacts(run: StepRun) -> DataFrame:
    """contacts -> crm.clean_contacts: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing.
    """
    contacts = run.output("contacts")
    priors = run.declared({}, argument="depends_on")
    df = normalise(run.spark, contacts, priors)
    checked = run.validate(df, clean_contacts_rules(), keep=("email",))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="crm.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="f9e9d372e9875354bac3e9cf2d9d44fe45a19693688f1e2317641b125b0fd1c1",
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
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
