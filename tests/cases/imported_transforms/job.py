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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

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
def clean_lines(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return _positive_lines(bronze_df).withColumn(
        "line_total", F.col("quantity") * F.col("price")
    )


# transforms.py:17
def product_sales(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["order_lines"].groupBy("sku").agg(F.sum("line_total").alias("sales"))


def raw_lines_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_lines' (pipeline.py:12)."""
    return (
        Rule("sku", "not_null", F.col("sku").isNotNull()),
        Rule("quantity", "not_null", F.col("quantity").isNotNull()),
    )


# pipeline.py:12
@step("bronze", "raw_lines", table="retail.raw_lines")
def bronze_raw_lines(run: StepRun) -> DataFrame:
    """Reads retail.raw_lines, or the input bound with --source raw_lines=....

    Below 95% valid rows it fails; then order_lines and product_sales are
    cancelled.
    """
    df = run.read("retail.raw_lines")
    checked = run.validate(df, raw_lines_rules(), keep=("sku", "quantity", "price"))
    run.gate(checked, min_rate=95.0)
    return checked.valid


def order_lines_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'order_lines' (pipeline.py:15)."""
    return (
        Rule("sku", "not_null", F.col("sku").isNotNull()),
        Rule("line_total", "non_negative", F.col("line_total") >= 0),
    )


# pipeline.py:15
@step(
    "silver",
    "order_lines",
    table="retail.order_lines",
    after=("raw_lines",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_order_lines(run: StepRun) -> DataFrame:
    """raw_lines -> retail.order_lines: recomputed and replaced in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then product_sales is
    cancelled.
    """
    raw_lines = run.output("raw_lines")
    priors = run.declared({}, argument="depends_on")
    df = clean_lines(run.spark, raw_lines, priors)
    checked = run.validate(df, order_lines_rules(), keep=("sku", "line_total"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def product_sales_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'product_sales' (pipeline.py:21)."""
    return (
        Rule("sku", "not_null", F.col("sku").isNotNull()),
        Rule("sales", "non_negative", F.col("sales") >= 0),
    )


# pipeline.py:21
@step(
    "gold",
    "product_sales",
    table="retail.product_sales",
    after=("order_lines",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_product_sales(run: StepRun) -> DataFrame:
    """order_lines -> retail.product_sales: recomputed from the whole silver tables
    and replaced in every run.

    It is never skipped: order_lines replaces its table (or merges into it) in
    every run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {"order_lines": run.whole("order_lines", "retail.order_lines")},
        argument="source_silvers",
    )
    df = product_sales(run.spark, silvers)
    checked = run.validate(df, product_sales_rules(), keep=("sku", "sales"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="retail",
    log_table="retail.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="564d95ceb6f042c05ab82165516619b74c96bf649b90ffd940d58e713f562c1d",
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
            (bronze_raw_lines,),  # stage 1
            (silver_order_lines,),  # stage 2
            (gold_product_sales,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
