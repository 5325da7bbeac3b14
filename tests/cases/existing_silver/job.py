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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:11
def country_counts(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["customers"].groupBy("country").agg(F.count("*").alias("customers"))


def customers_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'customers' (pipeline.py:17)."""
    return (
        Rule("customer_id", "not_null", F.col("customer_id").isNotNull()),
        Rule("country", "not_null", F.col("country").isNotNull()),
    )


# pipeline.py:17
@step("silver", "customers", table="crm.customers_v2")
def silver_customers(run: StepRun) -> DataFrame:
    """Validates the existing table crm.customers_v2; it writes nothing.

    Below 75% valid rows it fails and writes nothing; then country_counts is
    cancelled.
    """
    df = run.spark.table("crm.customers_v2")
    checked = run.validate(df, customers_rules(), keep=("customer_id", "country"))
    run.gate(checked, min_rate=75.0)
    return checked.valid


def country_counts_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'country_counts' (pipeline.py:22)."""
    return (
        Rule("country", "not_null", F.col("country").isNotNull()),
        Rule("customers", "positive", F.col("customers") > 0),
    )


# pipeline.py:22
@step(
    "gold",
    "country_counts",
    table="crm.country_counts",
    after=("customers",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_country_counts(run: StepRun) -> DataFrame:
    """customers -> crm.country_counts: recomputed from the whole silver tables and
    replaced in every run.

    In incremental runs it is skipped when neither customers nor its code
    changed since its last run; otherwise it recomputes in full: customers does
    not append in incremental runs, so any of its rows may change.

    Below 80% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("crm.customers_v2", code="a2887c4b1cc1"):
        return run.skip("customers did not change since its last run")
    silvers = run.declared(
        {"customers": run.spark.table("crm.customers_v2")}, argument="source_silvers"
    )
    df = country_counts(run.spark, silvers)
    checked = run.validate(df, country_counts_rules(), keep=("country", "customers"))
    run.gate(checked, min_rate=80.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="crm.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="6745bb09131233df51cb3f6597c0d2cd6338de592db651a1bbd1b5e4dae56cad",
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
            (silver_customers,),  # stage 1
            (gold_country_counts,),  # stage 2
        ),
        parallel=False,
        max_workers=1,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
