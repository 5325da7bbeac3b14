r"""Pipeline 'sensors': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 9ca5a8b645d62ab6d2e84954e881b9b786fce9701499fa90030f3ce5bf900647).
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
def enrich(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("reading_c", F.round((F.col("reading_f") - 32) * 5 / 9, 2))


# pipeline.py:13
def hourly(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["readings"]
        .groupBy(F.date_trunc("hour", "ts").alias("hour"))
        .agg(F.avg("reading_c").alias("avg_c"))
    )


def bronze_raw_readings() -> StepSpec:
    """Bronze step 'raw_readings' (pipeline.py:22): reads iot.raw_readings unless --source binds it."""
    return StepSpec(
        name="raw_readings",
        layer="bronze",
        threshold=95.0,
        table="iot.raw_readings",
        incremental_col="ts",
        keep_columns=("sensor_id", "reading_f", "ts"),
        rules=(
            Rule("sensor_id", "not_null", F.col("sensor_id").isNotNull()),
            Rule("reading_f", "not_null", F.col("reading_f").isNotNull()),
            Rule("ts", "not_null", F.col("ts").isNotNull()),
        ),
    )


def silver_readings() -> StepSpec:
    """Silver step 'readings' (pipeline.py:27): writes iot.readings."""
    return StepSpec(
        name="readings",
        layer="silver",
        threshold=98.0,
        table="iot.readings",
        source_bronze="raw_readings",
        watermark_col="ts",
        keep_columns=("sensor_id", "reading_c", "ts"),
        transform=enrich,
        rules=(
            Rule("sensor_id", "not_null", F.col("sensor_id").isNotNull()),
            Rule("reading_c", "between(-50, 150)", F.col("reading_c").between(-50, 150)),
        ),
    )


def gold_hourly_temperature() -> StepSpec:
    """Gold step 'hourly_temperature' (pipeline.py:34): writes iot.hourly_temperature."""
    return StepSpec(
        name="hourly_temperature",
        layer="gold",
        threshold=99.0,
        table="iot.hourly_temperature",
        source_silvers=("readings",),
        keep_columns=("hour", "avg_c"),
        transform=hourly,
        rules=(Rule("hour", "not_null", F.col("hour").isNotNull()),),
    )


JOB = JobDefinition(
    pipeline_name="sensors",
    source_file="pipeline.py",
    source_hash="9ca5a8b645d62ab6d2e84954e881b9b786fce9701499fa90030f3ce5bf900647",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="iot.pipeline_logs",
    steps=(
        PlannedStep(1, "raw_readings", "bronze", "iot.raw_readings", incremental=True),
        PlannedStep(
            2, "readings", "silver", "iot.readings", upstream=("raw_readings",), incremental=True
        ),
        PlannedStep(
            3, "hourly_temperature", "gold", "iot.hourly_temperature", upstream=("readings",)
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_raw_readings,),  # stage 1
        (silver_readings,),  # stage 2
        (gold_hourly_temperature,),  # stage 3
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
