r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 b594381e07501fac6ba2d28d112f865d12358b2e69d44598f87feb23dfe8d59f).
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

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:11
def payments(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df


def raw_payments_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_payments' (pipeline.py:17)."""
    return (
        Rule("payment_id", "not_null", F.col("payment_id").isNotNull()),
        Rule("payment_id", None, F.col("payment_id").isNotNull()),
        Rule("amount", "positive", F.col("amount") > 0),
        Rule("amount", "lt(1000000)", F.col("amount") < 1000000),
        Rule(
            "amount", "amount = round(amount, 2)", F.expr("amount = round(amount, 2)")
        ),
        Rule("fee", "non_negative", F.col("fee") >= 0),
        Rule("fee", "lte(50.5)", F.col("fee") <= 50.5),
        Rule(
            "currency",
            "in(['EUR', 'USD', 'GBP'])",
            F.col("currency").isin(["EUR", "USD", "GBP"]),
        ),
        Rule("currency", "ne('XXX')", F.col("currency") != "XXX"),
        Rule("method", "not_in(['cheque'])", ~F.col("method").isin(["cheque"])),
        Rule("method", "like('c%')", F.col("method").like("c%")),
        Rule("installments", "between(1, 12)", F.col("installments").between(1, 12)),
        Rule("attempt", "gte(1)", F.col("attempt") >= 1),
        Rule("attempt", "gt(0)", F.col("attempt") > 0),
        Rule("attempt", "eq(1)", F.col("attempt") == 1),
        Rule("refunded", "eq(False)", F.col("refunded") == F.lit(False)),
        Rule(
            "status",
            "not_empty",
            F.col("status").isNotNull() & (F.length(F.col("status")) > 0),
        ),
        Rule("status", None, F.col("status").isin("ok", "pending")),
        Rule("card_last4", "non_zero", F.col("card_last4") != 0),
        Rule("card_last4", "length(card_last4) = 4", F.expr("length(card_last4) = 4")),
    )


# pipeline.py:17
@step("bronze", "raw_payments", table="payments.raw_payments")
def bronze_raw_payments(run: StepRun) -> DataFrame:
    """Reads payments.raw_payments, or the input bound with --source
    raw_payments=....

    Below 95% valid rows it fails; then payments is cancelled.
    """
    df = run.read("payments.raw_payments")
    checked = run.validate(df, raw_payments_rules())
    run.gate(checked, min_rate=95.0)
    return checked.valid


def payments_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'payments' (pipeline.py:32)."""
    return (
        Rule("payment_id", None, F.col("payment_id") > 0),
        Rule(
            "amount",
            "amount > 0 AND amount < 1e6",
            F.expr("amount > 0 AND amount < 1e6"),
        ),
    )


# pipeline.py:32
@step(
    "silver",
    "payments",
    table="payments.payments",
    after=("raw_payments",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_payments(run: StepRun) -> DataFrame:
    """raw_payments -> payments.payments: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing.
    """
    raw_payments = run.output("raw_payments")
    priors = run.declared({}, argument="depends_on")
    df = payments(run.spark, raw_payments, priors)
    checked = run.validate(df, payments_rules())
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="payments.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="b594381e07501fac6ba2d28d112f865d12358b2e69d44598f87feb23dfe8d59f",
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
            (bronze_raw_payments,),  # stage 1
            (silver_payments,),  # stage 2
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
