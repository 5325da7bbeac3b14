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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession


# pipeline.py:10
def dedupe(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.dropDuplicates(["invoice_id"])


def invoices_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'invoices' (pipeline.py:17)."""
    return (
        Rule("invoice_id", "not_null", F.col("invoice_id").isNotNull()),
        Rule("total", "positive", F.col("total") > 0),
    )


# pipeline.py:17
@step("bronze", "invoices", table="billing.invoices")
def bronze_invoices(run: StepRun) -> DataFrame:
    """Reads billing.invoices, or the input bound with --source invoices=....

    Below 95% valid rows it fails; then unique_invoices is cancelled.
    """
    df = run.read("billing.invoices")
    checked = run.validate(df, invoices_rules(), keep=("invoice_id", "total"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def unique_invoices_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'unique_invoices' (pipeline.py:18)."""
    return (
        Rule("invoice_id", "not_null", F.col("invoice_id").isNotNull()),
        Rule("total", "positive", F.col("total") > 0),
    )


# pipeline.py:18
@step(
    "silver",
    "unique_invoices",
    table="billing.unique_invoices",
    after=("invoices",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_unique_invoices(run: StepRun) -> DataFrame:
    """invoices -> billing.unique_invoices: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing.
    """
    invoices = run.output("invoices")
    priors = run.declared({}, argument="depends_on")
    df = dedupe(run.spark, invoices, priors)
    checked = run.validate(df, unique_invoices_rules(), keep=("invoice_id", "total"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="billing",
    log_table="billing.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="de936422f4fd5a94d7e80c734c549a0bcaa0325fad1bbd6bf0ef0930ca9b4eb0",
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
            (bronze_invoices,),  # stage 1
            (silver_unique_invoices,),  # stage 2
        ),
        parallel=True,
        max_workers=2,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
