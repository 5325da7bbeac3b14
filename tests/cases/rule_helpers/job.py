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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession


# pipeline.py:10
def accounts(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.dropDuplicates(["account_id"])


def raw_accounts_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_accounts' (pipeline.py:15)."""
    return (
        Rule("account_id", "not_null", F.col("account_id").isNotNull()),
        Rule("created_at", "not_null", F.col("created_at").isNotNull()),
        Rule(
            "name",
            "not_empty",
            F.col("name").isNotNull() & (F.length(F.col("name")) > 0),
        ),
    )


# pipeline.py:15
@step("bronze", "raw_accounts", table="crm.raw_accounts")
def bronze_raw_accounts(run: StepRun) -> DataFrame:
    """Reads crm.raw_accounts, or the input bound with --source raw_accounts=....

    Below 95% valid rows it fails; then accounts is cancelled.
    """
    df = run.read("crm.raw_accounts")
    checked = run.validate(
        df, raw_accounts_rules(), keep=("account_id", "created_at", "name")
    )
    run.gate(checked, min_rate=95.0)
    return checked.valid


def accounts_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'accounts' (pipeline.py:22)."""
    return (
        Rule("account_id", "not_null", F.col("account_id").isNotNull()),
        Rule("seats", "positive", F.col("seats") > 0),
        Rule(
            "name",
            "not_empty",
            F.col("name").isNotNull() & (F.length(F.col("name")) > 0),
        ),
    )


# pipeline.py:22
@step(
    "silver",
    "accounts",
    table="crm.accounts",
    after=("raw_accounts",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_accounts(run: StepRun) -> DataFrame:
    """raw_accounts -> crm.accounts: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing.
    """
    raw_accounts = run.output("raw_accounts")
    priors = run.declared({}, argument="depends_on")
    df = accounts(run.spark, raw_accounts, priors)
    checked = run.validate(df, accounts_rules(), keep=("account_id", "seats", "name"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="crm.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="a87262a322fccc2deaecf58a56400407c433e83e8752a87f54c7e24b57553b2b",
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
            (bronze_raw_accounts,),  # stage 1
            (silver_accounts,),  # stage 2
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
