r"""Pipeline 'iot_sensors': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 de072b5f1ebf18a22fb533782764f8ce4944e647440417ada6ba1c72aa760b10).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 2 bronze, 3 silver, 3 gold in 4 stages.

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

# pipeline.py:12
from pyspark.sql import DataFrame, SparkSession, Window

# pipeline.py:13
from pyspark.sql import functions as F

# pipeline.py:17
LATE_AFTER_MINUTES = 60

# pipeline.py:18
SPIKE_DELTA_C = 8.0


# pipeline.py:38
def clean_readings(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """Round the measurements, derive the event date and how late the row arrived."""
    delay = F.col("ingested_at").cast("long") - F.col("event_ts").cast("long")
    return (
        bronze_df.withColumn("temperature_c", F.round("temperature_c", 2))
        .withColumn("humidity_pct", F.round("humidity_pct", 1))
        .withColumn("event_date", F.to_date("event_ts"))
        .withColumn("delay_minutes", (delay / 60).cast("int"))
        .withColumn("is_late", F.col("delay_minutes") > LATE_AFTER_MINUTES)
    )


# pipeline.py:50
def device_registry(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """One row per device, site names normalised."""
    return bronze_df.withColumn("site", F.upper(F.trim("site"))).dropDuplicates(["device_id"])


# pipeline.py:55
def site_readings(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """This run's readings with their device's site; readings of unregistered devices go to UNKNOWN."""
    devices = prior_silvers["device_registry"].select("device_id", "site", "model")
    return (
        prior_silvers["readings"]
        .join(devices, "device_id", "left")
        .withColumn("site", F.coalesce("site", F.lit("UNKNOWN")))
        .withColumn("model", F.coalesce("model", F.lit("unregistered")))
    )


# pipeline.py:66
def device_hourly(spark: SparkSession, silvers: dict) -> DataFrame:
    """Per device and event hour: count, min / avg / max temperature (late readings included)."""
    return (
        silvers["readings"]
        .groupBy("device_id", F.date_trunc("hour", "event_ts").alias("hour"))
        .agg(
            F.count("*").alias("readings"),
            F.round(F.min("temperature_c"), 2).alias("min_c"),
            F.round(F.avg("temperature_c"), 2).alias("avg_c"),
            F.round(F.max("temperature_c"), 2).alias("max_c"),
        )
    )


# pipeline.py:80
def temperature_spikes(spark: SparkSession, silvers: dict) -> DataFrame:
    """Readings more than SPIKE_DELTA_C away from the mean of the device's previous five readings."""
    previous = Window.partitionBy("device_id").orderBy("event_ts", "reading_id").rowsBetween(-5, -1)
    in_order = Window.partitionBy("device_id").orderBy("event_ts", "reading_id")
    return (
        silvers["site_readings"]
        .withColumn("baseline_c", F.round(F.avg("temperature_c").over(previous), 2))
        .withColumn("previous_c", F.lag("temperature_c").over(in_order))
        .withColumn("delta_c", F.round(F.col("temperature_c") - F.col("baseline_c"), 2))
        .filter(F.abs("delta_c") > SPIKE_DELTA_C)
        .select(
            "reading_id",
            "device_id",
            "site",
            "event_ts",
            "temperature_c",
            "previous_c",
            "baseline_c",
            "delta_c",
            "is_late",
        )
    )


# pipeline.py:104
def site_daily(spark: SparkSession, silvers: dict) -> DataFrame:
    """Per site and event day: readings, how many arrived late, mean temperature and humidity."""
    return (
        silvers["site_readings"]
        .groupBy("site", "event_date")
        .agg(
            F.count("*").alias("readings"),
            F.sum(F.col("is_late").cast("int")).alias("late_readings"),
            F.countDistinct("device_id").alias("devices"),
            F.round(F.avg("temperature_c"), 2).alias("avg_c"),
            F.round(F.avg("humidity_pct"), 1).alias("avg_humidity_pct"),
        )
    )


# Raw readings as uploaded by the gateways; late uploads are common.
def bronze_sensor_readings() -> StepSpec:
    """Bronze step 'sensor_readings' (pipeline.py:130): reads iot_sensors.sensor_readings unless --source binds it."""
    return StepSpec(
        name="sensor_readings",
        layer="bronze",
        threshold=90.0,
        table="iot_sensors.sensor_readings",
        incremental_col="ingested_at",
        keep_columns=(
            "reading_id",
            "device_id",
            "event_ts",
            "ingested_at",
            "temperature_c",
            "humidity_pct",
            "battery_pct",
        ),
        rules=(
            Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
            Rule("device_id", "not_null", F.col("device_id").isNotNull()),
            Rule(
                "device_id",
                "not_empty",
                F.col("device_id").isNotNull() & (F.length(F.col("device_id")) > 0),
            ),
            Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
            Rule("ingested_at", "not_null", F.col("ingested_at").isNotNull()),
            Rule("ingested_at", "ingested_at >= event_ts", F.expr("ingested_at >= event_ts")),
            Rule(
                "temperature_c",
                "between(-40.0, 125.0)",
                F.col("temperature_c").between(-40.0, 125.0),
            ),
            Rule("humidity_pct", "gte(0.0)", F.col("humidity_pct") >= 0.0),
            Rule("humidity_pct", "lte(100.0)", F.col("humidity_pct") <= 100.0),
        ),
    )


def bronze_devices() -> StepSpec:
    """Bronze step 'devices' (pipeline.py:136): reads iot_sensors.devices unless --source binds it."""
    return StepSpec(
        name="devices",
        layer="bronze",
        threshold=90.0,
        table="iot_sensors.devices",
        keep_columns=("device_id", "site", "model", "installed_on"),
        rules=(
            Rule("device_id", "not_null", F.col("device_id").isNotNull()),
            Rule(
                "device_id",
                "not_empty",
                F.col("device_id").isNotNull() & (F.length(F.col("device_id")) > 0),
            ),
            Rule("site", "not_empty", F.col("site").isNotNull() & (F.length(F.col("site")) > 0)),
            Rule(
                "model",
                "in(['TH-100', 'TH-200', 'TH-300X'])",
                F.col("model").isin(["TH-100", "TH-200", "TH-300X"]),
            ),
            Rule("installed_on", "not_null", F.col("installed_on").isNotNull()),
        ),
    )


def silver_readings() -> StepSpec:
    """Silver step 'readings' (pipeline.py:137): writes iot_sensors.readings."""
    return StepSpec(
        name="readings",
        layer="silver",
        threshold=98.0,
        table="iot_sensors.readings",
        source_bronze="sensor_readings",
        watermark_col="ingested_at",
        keep_columns=(
            "reading_id",
            "device_id",
            "event_ts",
            "ingested_at",
            "event_date",
            "temperature_c",
            "delay_minutes",
            "humidity_pct",
            "is_late",
        ),
        transform=clean_readings,
        rules=(
            Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
            Rule("device_id", "not_null", F.col("device_id").isNotNull()),
            Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
            Rule("ingested_at", "not_null", F.col("ingested_at").isNotNull()),
            Rule("event_date", "not_null", F.col("event_date").isNotNull()),
            Rule("temperature_c", "not_null", F.col("temperature_c").isNotNull()),
            Rule("delay_minutes", "non_negative", F.col("delay_minutes") >= 0),
        ),
    )


def silver_device_registry() -> StepSpec:
    """Silver step 'device_registry' (pipeline.py:155): writes iot_sensors.device_registry."""
    return StepSpec(
        name="device_registry",
        layer="silver",
        threshold=98.0,
        table="iot_sensors.device_registry",
        source_bronze="devices",
        keep_columns=("device_id", "site", "model"),
        transform=device_registry,
        rules=(
            Rule("device_id", "not_null", F.col("device_id").isNotNull()),
            Rule("site", "not_empty", F.col("site").isNotNull() & (F.length(F.col("site")) > 0)),
            Rule("model", "not_null", F.col("model").isNotNull()),
        ),
    )


def silver_site_readings() -> StepSpec:
    """Silver step 'site_readings' (pipeline.py:162): writes iot_sensors.site_readings."""
    return StepSpec(
        name="site_readings",
        layer="silver",
        threshold=98.0,
        table="iot_sensors.site_readings",
        source_bronze="sensor_readings",
        depends_on=("readings", "device_registry"),
        watermark_col="ingested_at",
        keep_columns=(
            "reading_id",
            "device_id",
            "site",
            "model",
            "event_ts",
            "event_date",
            "ingested_at",
            "temperature_c",
            "humidity_pct",
            "is_late",
        ),
        transform=site_readings,
        rules=(
            Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
            Rule("device_id", "not_null", F.col("device_id").isNotNull()),
            Rule("site", "not_empty", F.col("site").isNotNull() & (F.length(F.col("site")) > 0)),
            Rule("model", "not_null", F.col("model").isNotNull()),
            Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
            Rule("event_date", "not_null", F.col("event_date").isNotNull()),
            Rule("ingested_at", "not_null", F.col("ingested_at").isNotNull()),
        ),
    )


def gold_device_hourly() -> StepSpec:
    """Gold step 'device_hourly' (pipeline.py:182): writes iot_sensors.device_hourly."""
    return StepSpec(
        name="device_hourly",
        layer="gold",
        threshold=99.0,
        table="iot_sensors.device_hourly",
        source_silvers=("readings",),
        keep_columns=("device_id", "hour", "readings", "avg_c", "min_c", "max_c"),
        transform=device_hourly,
        rules=(
            Rule("device_id", "not_null", F.col("device_id").isNotNull()),
            Rule("hour", "not_null", F.col("hour").isNotNull()),
            Rule("readings", "positive", F.col("readings") > 0),
            Rule(
                "avg_c",
                "min_c <= avg_c AND avg_c <= max_c",
                F.expr("min_c <= avg_c AND avg_c <= max_c"),
            ),
        ),
    )


def gold_temperature_spikes() -> StepSpec:
    """Gold step 'temperature_spikes' (pipeline.py:196): writes iot_sensors.temperature_spikes."""
    return StepSpec(
        name="temperature_spikes",
        layer="gold",
        threshold=99.0,
        table="iot_sensors.temperature_spikes",
        source_silvers=("site_readings",),
        keep_columns=(
            "reading_id",
            "device_id",
            "event_ts",
            "baseline_c",
            "delta_c",
            "site",
            "temperature_c",
            "previous_c",
            "is_late",
        ),
        transform=temperature_spikes,
        rules=(
            Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
            Rule("device_id", "not_null", F.col("device_id").isNotNull()),
            Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
            Rule("baseline_c", "not_null", F.col("baseline_c").isNotNull()),
            Rule("delta_c", "not_in([0.0])", ~F.col("delta_c").isin([0.0])),
        ),
    )


def gold_site_daily() -> StepSpec:
    """Gold step 'site_daily' (pipeline.py:213): writes iot_sensors.site_daily."""
    return StepSpec(
        name="site_daily",
        layer="gold",
        threshold=99.0,
        table="iot_sensors.site_daily",
        source_silvers=("site_readings",),
        keep_columns=(
            "site",
            "event_date",
            "readings",
            "late_readings",
            "devices",
            "avg_c",
            "avg_humidity_pct",
        ),
        transform=site_daily,
        rules=(
            Rule("site", "not_empty", F.col("site").isNotNull() & (F.length(F.col("site")) > 0)),
            Rule("event_date", "not_null", F.col("event_date").isNotNull()),
            Rule("readings", "positive", F.col("readings") > 0),
            Rule("late_readings", "non_negative", F.col("late_readings") >= 0),
            Rule("late_readings", "late_readings <= readings", F.expr("late_readings <= readings")),
            Rule("devices", "positive", F.col("devices") > 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="iot_sensors",
    source_file="pipeline.py",
    source_hash="de072b5f1ebf18a22fb533782764f8ce4944e647440417ada6ba1c72aa760b10",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="iot_sensors.pipeline_logs",
    steps=(
        PlannedStep(1, "devices", "bronze", "iot_sensors.devices"),
        PlannedStep(
            1, "sensor_readings", "bronze", "iot_sensors.sensor_readings", incremental=True
        ),
        PlannedStep(
            2, "device_registry", "silver", "iot_sensors.device_registry", upstream=("devices",)
        ),
        PlannedStep(
            2,
            "readings",
            "silver",
            "iot_sensors.readings",
            upstream=("sensor_readings",),
            incremental=True,
        ),
        PlannedStep(
            3,
            "site_readings",
            "silver",
            "iot_sensors.site_readings",
            upstream=("sensor_readings", "readings", "device_registry"),
            incremental=True,
        ),
        PlannedStep(
            4, "device_hourly", "gold", "iot_sensors.device_hourly", upstream=("readings",)
        ),
        PlannedStep(4, "site_daily", "gold", "iot_sensors.site_daily", upstream=("site_readings",)),
        PlannedStep(
            4,
            "temperature_spikes",
            "gold",
            "iot_sensors.temperature_spikes",
            upstream=("site_readings",),
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_devices, bronze_sensor_readings),  # stage 1, parallel
        (silver_device_registry, silver_readings),  # stage 2, parallel
        (silver_site_readings,),  # stage 3
        (gold_device_hourly, gold_site_daily, gold_temperature_spikes),  # stage 4, parallel
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
