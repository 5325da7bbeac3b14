r"""Pipeline 'sensors': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 826d2d66424a4c61f2273b80fcb6c2307e692a6c66c58c4e9c0b947da66e770c).
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
def enrich(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn(
        "reading_c", F.round((F.col("reading_f") - 32) * 5 / 9, 2)
    )


# pipeline.py:13
def hourly(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["readings"]
        .groupBy(F.date_trunc("hour", "ts").alias("hour"))
        .agg(F.avg("reading_c").alias("avg_c"))
    )


def raw_readings_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_readings' (pipeline.py:22)."""
    return (
        Rule("sensor_id", "not_null", F.col("sensor_id").isNotNull()),
        Rule("reading_f", "not_null", F.col("reading_f").isNotNull()),
        Rule("ts", "not_null", F.col("ts").isNotNull()),
    )


# pipeline.py:22
@step("bronze", "raw_readings", table="iot.raw_readings", watermark="ts")
def bronze_raw_readings(run: StepRun) -> DataFrame:
    """Reads iot.raw_readings, or the input bound with --source raw_readings=...;
    in incremental runs only the rows whose ts is newer than what iot.readings
    last covered.

    Below 95% valid rows it fails; then readings and hourly_temperature are
    cancelled.
    """
    df = run.read("iot.raw_readings")
    if run.incremental:
        since = run.oldest_watermark(("iot.readings", "ts"))
        df = run.newer_than(df, "ts", since)
    checked = run.validate(
        df, raw_readings_rules(), keep=("sensor_id", "reading_f", "ts"), watermark="ts"
    )
    run.gate(checked, min_rate=95.0)
    return checked.valid


def readings_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'readings' (pipeline.py:27)."""
    return (
        Rule("sensor_id", "not_null", F.col("sensor_id").isNotNull()),
        Rule("reading_c", "between(-50, 150)", F.col("reading_c").between(-50, 150)),
    )


# pipeline.py:27
@step(
    "silver",
    "readings",
    table="iot.readings",
    after=("raw_readings",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_readings(run: StepRun) -> DataFrame:
    """raw_readings -> iot.readings: in incremental runs it appends the rows newer
    than its watermark (ts); otherwise it replaces the table.

    In incremental runs it is skipped when raw_readings passed on no new rows.

    Below 98% valid rows it fails and writes nothing; then hourly_temperature is
    cancelled.
    """
    since = run.watermark("iot.readings", "ts") if run.incremental else None
    if since is not None and run.no_new_rows("raw_readings"):
        return run.skip("no new rows in raw_readings")
    raw_readings = run.newer_than(run.output("raw_readings"), "ts", since)
    priors = run.declared({}, argument="depends_on")
    df = enrich(run.spark, raw_readings, priors)
    checked = run.validate(
        df, readings_rules(), keep=("sensor_id", "reading_c", "ts"), watermark="ts"
    )
    run.gate(checked, min_rate=98.0)
    run.publish(checked, covered=run.covered("raw_readings", since))
    return checked.valid


def hourly_temperature_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'hourly_temperature' (pipeline.py:34)."""
    return (Rule("hour", "not_null", F.col("hour").isNotNull()),)


# pipeline.py:34
@step(
    "gold",
    "hourly_temperature",
    table="iot.hourly_temperature",
    after=("readings",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_hourly_temperature(run: StepRun) -> DataFrame:
    """readings -> iot.hourly_temperature: recomputed from the whole silver tables
    and replaced in every run.

    In incremental runs it is skipped when neither readings nor its code changed
    since its last run; otherwise it recomputes in full: its groupBy at
    pipeline.py:14 does not name its key columns literally.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("iot.readings", code="8ae6556d2f7c"):
        return run.skip("readings did not change since its last run")
    silvers = run.declared(
        {"readings": run.whole("readings", "iot.readings")}, argument="source_silvers"
    )
    df = hourly(run.spark, silvers)
    checked = run.validate(df, hourly_temperature_rules(), keep=("hour", "avg_c"))
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="sensors",
    log_table="iot.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="826d2d66424a4c61f2273b80fcb6c2307e692a6c66c58c4e9c0b947da66e770c",
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
            (bronze_raw_readings,),  # stage 1
            (silver_readings,),  # stage 2
            (gold_hourly_temperature,),  # stage 3
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
