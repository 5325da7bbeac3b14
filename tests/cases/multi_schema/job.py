r"""Pipeline 'acme_support': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 c3da4f4992925d41d711a0c809b894feb62a883b551f7c2750b825d9488e8a71).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 bronze, 1 silver, 1 gold in 3 stages.

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

# pipeline.py:9
TENANT = "acme"


# pipeline.py:12
def tickets(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.withColumn("tenant", F.lit(TENANT))


# pipeline.py:16
def backlog(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["tickets"].filter(F.col("status") == "open").groupBy("tenant").count()
    )


def raw_tickets_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_tickets' (pipeline.py:22)."""
    return (
        Rule("ticket_id", "not_null", F.col("ticket_id").isNotNull()),
        Rule("status", "not_null", F.col("status").isNotNull()),
    )


# pipeline.py:22
@step("bronze", "raw_tickets", table="acme_raw.raw_tickets")
def bronze_raw_tickets(run: StepRun) -> DataFrame:
    """Reads acme_raw.raw_tickets, or the input bound with --source
    raw_tickets=....

    Below 95% valid rows it fails; then tickets and backlog are cancelled.
    """
    df = run.read("acme_raw.raw_tickets")
    checked = run.validate(df, raw_tickets_rules(), keep=("ticket_id", "status"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def tickets_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'tickets' (pipeline.py:27)."""
    return (
        Rule("ticket_id", "not_null", F.col("ticket_id").isNotNull()),
        Rule(
            "status", "in(['open', 'closed'])", F.col("status").isin(["open", "closed"])
        ),
    )


# pipeline.py:27
@step(
    "silver",
    "tickets",
    table="acme_silver.tickets",
    after=("raw_tickets",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_tickets(run: StepRun) -> DataFrame:
    """raw_tickets -> acme_silver.tickets: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then backlog is cancelled.
    """
    raw_tickets = run.output("raw_tickets")
    priors = run.declared({}, argument="depends_on")
    df = tickets(run.spark, raw_tickets, priors)
    checked = run.validate(df, tickets_rules(), keep=("ticket_id", "status", "tenant"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def backlog_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'backlog' (pipeline.py:34)."""
    return (
        Rule("tenant", "not_null", F.col("tenant").isNotNull()),
        Rule("count", "non_negative", F.col("count") >= 0),
    )


# pipeline.py:34
@step(
    "gold",
    "backlog",
    table="analytics.backlog",
    after=("tickets",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_backlog(run: StepRun) -> DataFrame:
    """tickets -> analytics.backlog: recomputed from the whole silver tables and
    replaced in every run.

    It is never skipped: tickets replaces its table (or merges into it) in every
    run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"tickets": run.whole("tickets", "acme_silver.tickets")},
        argument="source_silvers",
    )
    df = backlog(run.spark, silvers)
    checked = run.validate(df, backlog_rules(), keep=("tenant", "count"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="acme_support",
    log_table="acme_core.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="c3da4f4992925d41d711a0c809b894feb62a883b551f7c2750b825d9488e8a71",
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
            (bronze_raw_tickets,),  # stage 1
            (silver_tickets,),  # stage 2
            (gold_backlog,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
