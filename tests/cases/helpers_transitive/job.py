r"""Pipeline 'pipeline': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 313dfc8759d5a41524e908d3fa9723464814433c57a1d5942b67b6bca766c9af).
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

# pipeline.py:4
from datetime import timedelta

# pipeline.py:6
from pyspark.sql import DataFrame, SparkSession, Window

# pipeline.py:7
from pyspark.sql import functions as F

# pipeline.py:13
LATE_AFTER = timedelta(hours=2)


# pipeline.py:18
def _normalise_sku(column: str):
    return F.upper(F.trim(F.col(column)))


# pipeline.py:22
def _latest_per(df: DataFrame, key: str, order: str) -> DataFrame:
    window = Window.partitionBy(key).orderBy(F.col(order).desc())
    return df.withColumn("_rank", F.row_number().over(window)).filter("_rank = 1").drop("_rank")


# pipeline.py:31
def stock(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    df = bronze_df.withColumn("sku", _normalise_sku("sku"))
    return _latest_per(df, "sku", "updated_at")


# pipeline.py:36
def late_updates(spark: SparkSession, silvers: dict) -> DataFrame:
    cutoff = F.current_timestamp() - F.expr(f"INTERVAL {int(LATE_AFTER.total_seconds())} SECONDS")
    return silvers["stock"].filter(F.col("updated_at") < cutoff).select("sku", "updated_at")


def bronze_raw_stock() -> StepSpec:
    """Bronze step 'raw_stock' (pipeline.py:43): reads warehouse.raw_stock unless --source binds it."""
    return StepSpec(
        name="raw_stock",
        layer="bronze",
        threshold=95.0,
        table="warehouse.raw_stock",
        keep_columns=("sku", "updated_at"),
        rules=(
            Rule("sku", "not_null", F.col("sku").isNotNull()),
            Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
        ),
    )


def silver_stock() -> StepSpec:
    """Silver step 'stock' (pipeline.py:44): writes warehouse.stock."""
    return StepSpec(
        name="stock",
        layer="silver",
        threshold=98.0,
        table="warehouse.stock",
        source_bronze="raw_stock",
        keep_columns=("sku", "updated_at"),
        transform=stock,
        rules=(
            Rule("sku", "not_empty", F.col("sku").isNotNull() & (F.length(F.col("sku")) > 0)),
            Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
        ),
    )


def gold_late_updates() -> StepSpec:
    """Gold step 'late_updates' (pipeline.py:50): writes warehouse.late_updates."""
    return StepSpec(
        name="late_updates",
        layer="gold",
        threshold=99.0,
        table="warehouse.late_updates",
        source_silvers=("stock",),
        keep_columns=("sku", "updated_at"),
        transform=late_updates,
        rules=(Rule("sku", "not_null", F.col("sku").isNotNull()),),
    )


JOB = JobDefinition(
    pipeline_name="pipeline",
    source_file="pipeline.py",
    source_hash="313dfc8759d5a41524e908d3fa9723464814433c57a1d5942b67b6bca766c9af",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="warehouse.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_stock", "bronze", "warehouse.raw_stock"),
        PlannedStep(2, "stock", "silver", "warehouse.stock", upstream=("raw_stock",)),
        PlannedStep(3, "late_updates", "gold", "warehouse.late_updates", upstream=("stock",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_stock,),  # stage 1
        (silver_stock,),  # stage 2
        (gold_late_updates,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
