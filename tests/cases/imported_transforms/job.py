r"""Pipeline 'retail': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 564d95ceb6f042c05ab82165516619b74c96bf649b90ffd940d58e713f562c1d).
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

# transforms.py:3
from pyspark.sql import DataFrame, SparkSession

# transforms.py:4
from pyspark.sql import functions as F

# transforms.py:6
MIN_QUANTITY = 1


# transforms.py:9
def _positive_lines(df: DataFrame) -> DataFrame:
    return df.filter(F.col("quantity") >= MIN_QUANTITY)


# transforms.py:13
def clean_lines(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return _positive_lines(bronze_df).withColumn("line_total", F.col("quantity") * F.col("price"))


# transforms.py:17
def product_sales(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["order_lines"].groupBy("sku").agg(F.sum("line_total").alias("sales"))


def bronze_raw_lines() -> StepSpec:
    """Bronze step 'raw_lines' (pipeline.py:12): reads retail.raw_lines unless --source binds it."""
    return StepSpec(
        name="raw_lines",
        layer="bronze",
        threshold=95.0,
        table="retail.raw_lines",
        keep_columns=("sku", "quantity", "price"),
        rules=(
            Rule("sku", "not_null", F.col("sku").isNotNull()),
            Rule("quantity", "not_null", F.col("quantity").isNotNull()),
        ),
    )


def silver_order_lines() -> StepSpec:
    """Silver step 'order_lines' (pipeline.py:15): writes retail.order_lines."""
    return StepSpec(
        name="order_lines",
        layer="silver",
        threshold=98.0,
        table="retail.order_lines",
        source_bronze="raw_lines",
        keep_columns=("sku", "line_total"),
        transform=clean_lines,
        rules=(
            Rule("sku", "not_null", F.col("sku").isNotNull()),
            Rule("line_total", "non_negative", F.col("line_total") >= 0),
        ),
    )


def gold_product_sales() -> StepSpec:
    """Gold step 'product_sales' (pipeline.py:21): writes retail.product_sales."""
    return StepSpec(
        name="product_sales",
        layer="gold",
        threshold=99.0,
        table="retail.product_sales",
        source_silvers=("order_lines",),
        keep_columns=("sku", "sales"),
        transform=product_sales,
        rules=(
            Rule("sku", "not_null", F.col("sku").isNotNull()),
            Rule("sales", "non_negative", F.col("sales") >= 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="retail",
    source_file="pipeline.py",
    source_hash="564d95ceb6f042c05ab82165516619b74c96bf649b90ffd940d58e713f562c1d",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="retail.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_lines", "bronze", "retail.raw_lines"),
        PlannedStep(2, "order_lines", "silver", "retail.order_lines", upstream=("raw_lines",)),
        PlannedStep(3, "product_sales", "gold", "retail.product_sales", upstream=("order_lines",)),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_lines,),  # stage 1
        (silver_order_lines,),  # stage 2
        (gold_product_sales,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
