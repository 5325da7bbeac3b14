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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

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
    return (
        df.withColumn("_rank", F.row_number().over(window))
        .filter("_rank = 1")
        .drop("_rank")
    )


# pipeline.py:31
def stock(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    df = bronze_df.withColumn("sku", _normalise_sku("sku"))
    return _latest_per(df, "sku", "updated_at")


# pipeline.py:36
def late_updates(spark: SparkSession, silvers: dict) -> DataFrame:
    cutoff = F.current_timestamp() - F.expr(
        f"INTERVAL {int(LATE_AFTER.total_seconds())} SECONDS"
    )
    return (
        silvers["stock"]
        .filter(F.col("updated_at") < cutoff)
        .select("sku", "updated_at")
    )


def raw_stock_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_stock' (pipeline.py:43)."""
    return (
        Rule("sku", "not_null", F.col("sku").isNotNull()),
        Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
    )


# pipeline.py:43
@step("bronze", "raw_stock", table="warehouse.raw_stock")
def bronze_raw_stock(run: StepRun) -> DataFrame:
    """Reads warehouse.raw_stock, or the input bound with --source raw_stock=....

    Below 95% valid rows it fails; then stock and late_updates are cancelled.
    """
    df = run.read("warehouse.raw_stock")
    checked = run.validate(df, raw_stock_rules(), keep=("sku", "updated_at"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def stock_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'stock' (pipeline.py:44)."""
    return (
        Rule(
            "sku", "not_empty", F.col("sku").isNotNull() & (F.length(F.col("sku")) > 0)
        ),
        Rule("updated_at", "not_null", F.col("updated_at").isNotNull()),
    )


# pipeline.py:44
@step(
    "silver",
    "stock",
    table="warehouse.stock",
    after=("raw_stock",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_stock(run: StepRun) -> DataFrame:
    """raw_stock -> warehouse.stock: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then late_updates is
    cancelled.
    """
    raw_stock = run.output("raw_stock")
    priors = run.declared({}, argument="depends_on")
    df = stock(run.spark, raw_stock, priors)
    checked = run.validate(df, stock_rules(), keep=("sku", "updated_at"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def late_updates_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'late_updates' (pipeline.py:50)."""
    return (Rule("sku", "not_null", F.col("sku").isNotNull()),)


# pipeline.py:50
@step(
    "gold",
    "late_updates",
    table="warehouse.late_updates",
    after=("stock",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_late_updates(run: StepRun) -> DataFrame:
    """stock -> warehouse.late_updates: recomputed from the whole silver tables and
    replaced in every run.

    It is never skipped: its transform calls F.current_timestamp() at
    pipeline.py:37, which is not deterministic.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"stock": run.whole("stock", "warehouse.stock")}, argument="source_silvers"
    )
    df = late_updates(run.spark, silvers)
    checked = run.validate(df, late_updates_rules(), keep=("sku", "updated_at"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="pipeline",
    log_table="warehouse.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="313dfc8759d5a41524e908d3fa9723464814433c57a1d5942b67b6bca766c9af",
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
            (bronze_raw_stock,),  # stage 1
            (silver_stock,),  # stage 2
            (gold_late_updates,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
