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

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F

# pipeline.py:9
TENANT = "acme"


# pipeline.py:12
def tickets(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("tenant", F.lit(TENANT))


# pipeline.py:16
def backlog(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["tickets"].filter(F.col("status") == "open").groupBy("tenant").count()


def bronze_raw_tickets() -> StepSpec:
    """Bronze step 'raw_tickets' (pipeline.py:22): reads acme_raw.raw_tickets unless --source binds it."""
    return StepSpec(
        name="raw_tickets",
        layer="bronze",
        threshold=95.0,
        table="acme_raw.raw_tickets",
        keep_columns=("ticket_id", "status"),
        rules=(
            Rule("ticket_id", "not_null", F.col("ticket_id").isNotNull()),
            Rule("status", "not_null", F.col("status").isNotNull()),
        ),
    )


def silver_tickets() -> StepSpec:
    """Silver step 'tickets' (pipeline.py:27): writes acme_silver.tickets."""
    return StepSpec(
        name="tickets",
        layer="silver",
        threshold=98.0,
        table="acme_silver.tickets",
        source_bronze="raw_tickets",
        keep_columns=("ticket_id", "status", "tenant"),
        transform=tickets,
        rules=(
            Rule("ticket_id", "not_null", F.col("ticket_id").isNotNull()),
            Rule("status", "in(['open', 'closed'])", F.col("status").isin(["open", "closed"])),
        ),
    )


def gold_backlog() -> StepSpec:
    """Gold step 'backlog' (pipeline.py:34): writes analytics.backlog."""
    return StepSpec(
        name="backlog",
        layer="gold",
        threshold=99.0,
        table="analytics.backlog",
        source_silvers=("tickets",),
        keep_columns=("tenant", "count"),
        transform=backlog,
        rules=(
            Rule("tenant", "not_null", F.col("tenant").isNotNull()),
            Rule("count", "non_negative", F.col("count") >= 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="acme_support",
    source_file="pipeline.py",
    source_hash="c3da4f4992925d41d711a0c809b894feb62a883b551f7c2750b825d9488e8a71",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="acme_core.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_tickets", "bronze", "acme_raw.raw_tickets"),
        PlannedStep(2, "tickets", "silver", "acme_silver.tickets", upstream=("raw_tickets",)),
        PlannedStep(3, "backlog", "gold", "analytics.backlog", upstream=("tickets",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_tickets,),  # stage 1
        (silver_tickets,),  # stage 2
        (gold_backlog,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
