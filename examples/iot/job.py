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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:12
from pyspark.sql import DataFrame, SparkSession, Window

# pipeline.py:13
from pyspark.sql import functions as F

# pipeline.py:17
LATE_AFTER_MINUTES = 60

# pipeline.py:18
SPIKE_DELTA_C = 8.0


# pipeline.py:38
def clean_readings(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
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
def device_registry(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """One row per device, site names normalised."""
    return bronze_df.withColumn("site", F.upper(F.trim("site"))).dropDuplicates(
        ["device_id"]
    )


# pipeline.py:55
def site_readings(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
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
    previous = (
        Window.partitionBy("device_id")
        .orderBy("event_ts", "reading_id")
        .rowsBetween(-5, -1)
    )
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


def sensor_readings_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'sensor_readings' (pipeline.py:130)."""
    return (
        Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
        Rule("device_id", "not_null", F.col("device_id").isNotNull()),
        Rule(
            "device_id",
            "not_empty",
            F.col("device_id").isNotNull() & (F.length(F.col("device_id")) > 0),
        ),
        Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
        Rule("ingested_at", "not_null", F.col("ingested_at").isNotNull()),
        Rule(
            "ingested_at", "ingested_at >= event_ts", F.expr("ingested_at >= event_ts")
        ),
        Rule(
            "temperature_c",
            "between(-40.0, 125.0)",
            F.col("temperature_c").between(-40.0, 125.0),
        ),
        Rule("humidity_pct", "gte(0.0)", F.col("humidity_pct") >= 0.0),
        Rule("humidity_pct", "lte(100.0)", F.col("humidity_pct") <= 100.0),
    )


# Raw readings as uploaded by the gateways; late uploads are common.
# pipeline.py:130
@step(
    "bronze",
    "sensor_readings",
    table="iot_sensors.sensor_readings",
    watermark="ingested_at",
)
def bronze_sensor_readings(run: StepRun) -> DataFrame:
    """Reads iot_sensors.sensor_readings, or the input bound with --source
    sensor_readings=...; in incremental runs only the rows whose ingested_at is
    newer than what iot_sensors.readings and iot_sensors.site_readings last
    covered.

    Below 90% valid rows it fails; then readings, site_readings, device_hourly,
    site_daily and temperature_spikes are cancelled.
    """
    df = run.read("iot_sensors.sensor_readings")
    if run.incremental:
        since = run.oldest_watermark(
            ("iot_sensors.readings", "ingested_at"),
            ("iot_sensors.site_readings", "ingested_at"),
        )
        df = run.newer_than(df, "ingested_at", since)
    checked = run.validate(
        df,
        sensor_readings_rules(),
        keep=(
            "reading_id",
            "device_id",
            "event_ts",
            "ingested_at",
            "temperature_c",
            "humidity_pct",
            "battery_pct",
        ),
        watermark="ingested_at",
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def devices_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'devices' (pipeline.py:136)."""
    return (
        Rule("device_id", "not_null", F.col("device_id").isNotNull()),
        Rule(
            "device_id",
            "not_empty",
            F.col("device_id").isNotNull() & (F.length(F.col("device_id")) > 0),
        ),
        Rule(
            "site",
            "not_empty",
            F.col("site").isNotNull() & (F.length(F.col("site")) > 0),
        ),
        Rule(
            "model",
            "in(['TH-100', 'TH-200', 'TH-300X'])",
            F.col("model").isin(["TH-100", "TH-200", "TH-300X"]),
        ),
        Rule("installed_on", "not_null", F.col("installed_on").isNotNull()),
    )


# pipeline.py:136
@step("bronze", "devices", table="iot_sensors.devices")
def bronze_devices(run: StepRun) -> DataFrame:
    """Reads iot_sensors.devices, or the input bound with --source devices=....

    Below 90% valid rows it fails; then device_registry, site_readings,
    site_daily and temperature_spikes are cancelled.
    """
    df = run.read("iot_sensors.devices")
    checked = run.validate(
        df, devices_rules(), keep=("device_id", "site", "model", "installed_on")
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def readings_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'readings' (pipeline.py:137)."""
    return (
        Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
        Rule("device_id", "not_null", F.col("device_id").isNotNull()),
        Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
        Rule("ingested_at", "not_null", F.col("ingested_at").isNotNull()),
        Rule("event_date", "not_null", F.col("event_date").isNotNull()),
        Rule("temperature_c", "not_null", F.col("temperature_c").isNotNull()),
        Rule("delay_minutes", "non_negative", F.col("delay_minutes") >= 0),
    )


# pipeline.py:137
@step(
    "silver",
    "readings",
    table="iot_sensors.readings",
    after=("sensor_readings",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_readings(run: StepRun) -> DataFrame:
    """sensor_readings -> iot_sensors.readings: in incremental runs it appends the
    rows newer than its watermark (ingested_at); otherwise it replaces the
    table.

    In incremental runs it is skipped when sensor_readings passed on no new
    rows.

    Below 98% valid rows it fails and writes nothing; then site_readings,
    device_hourly, site_daily and temperature_spikes are cancelled.
    """
    since = (
        run.watermark("iot_sensors.readings", "ingested_at")
        if run.incremental
        else None
    )
    if since is not None and run.no_new_rows("sensor_readings"):
        return run.skip("no new rows in sensor_readings")
    sensor_readings = run.newer_than(
        run.output("sensor_readings"), "ingested_at", since
    )
    priors = run.declared({}, argument="depends_on")
    df = clean_readings(run.spark, sensor_readings, priors)
    checked = run.validate(
        df,
        readings_rules(),
        keep=(
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
        watermark="ingested_at",
    )
    run.gate(checked, min_rate=98.0)
    run.publish(checked, covered=run.covered("sensor_readings", since))
    return checked.valid


def device_registry_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'device_registry' (pipeline.py:155)."""
    return (
        Rule("device_id", "not_null", F.col("device_id").isNotNull()),
        Rule(
            "site",
            "not_empty",
            F.col("site").isNotNull() & (F.length(F.col("site")) > 0),
        ),
        Rule("model", "not_null", F.col("model").isNotNull()),
    )


# pipeline.py:155
@step(
    "silver",
    "device_registry",
    table="iot_sensors.device_registry",
    after=("devices",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_device_registry(run: StepRun) -> DataFrame:
    """devices -> iot_sensors.device_registry: recomputed and replaced in every
    run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing; then site_readings,
    site_daily and temperature_spikes are cancelled.
    """
    devices = run.output("devices")
    priors = run.declared({}, argument="depends_on")
    df = device_registry(run.spark, devices, priors)
    checked = run.validate(
        df, device_registry_rules(), keep=("device_id", "site", "model")
    )
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


def site_readings_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'site_readings' (pipeline.py:162)."""
    return (
        Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
        Rule("device_id", "not_null", F.col("device_id").isNotNull()),
        Rule(
            "site",
            "not_empty",
            F.col("site").isNotNull() & (F.length(F.col("site")) > 0),
        ),
        Rule("model", "not_null", F.col("model").isNotNull()),
        Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
        Rule("event_date", "not_null", F.col("event_date").isNotNull()),
        Rule("ingested_at", "not_null", F.col("ingested_at").isNotNull()),
    )


# pipeline.py:162
@step(
    "silver",
    "site_readings",
    table="iot_sensors.site_readings",
    after=("sensor_readings", "readings", "device_registry"),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_site_readings(run: StepRun) -> DataFrame:
    """sensor_readings, readings and device_registry -> iot_sensors.site_readings:
    in incremental runs it appends the rows newer than its watermark
    (ingested_at); otherwise it replaces the table.

    It is never skipped: device_registry replaces its table (or merges into it)
    in every run.

    Below 98% valid rows it fails and writes nothing; then site_daily and
    temperature_spikes are cancelled.
    """
    since = (
        run.watermark("iot_sensors.site_readings", "ingested_at")
        if run.incremental
        else None
    )
    sensor_readings = run.newer_than(
        run.output("sensor_readings"), "ingested_at", since
    )
    priors = run.declared(
        {
            "readings": run.rows_since(
                "readings", "iot_sensors.readings", "ingested_at", since
            ),
            "device_registry": run.output("device_registry"),
        },
        argument="depends_on",
    )
    df = site_readings(run.spark, sensor_readings, priors)
    checked = run.validate(
        df,
        site_readings_rules(),
        keep=(
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
        watermark="ingested_at",
    )
    run.gate(checked, min_rate=98.0)
    run.publish(checked, covered=run.covered("sensor_readings", since))
    return checked.valid


def device_hourly_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'device_hourly' (pipeline.py:182)."""
    return (
        Rule("device_id", "not_null", F.col("device_id").isNotNull()),
        Rule("hour", "not_null", F.col("hour").isNotNull()),
        Rule("readings", "positive", F.col("readings") > 0),
        Rule(
            "avg_c",
            "min_c <= avg_c AND avg_c <= max_c",
            F.expr("min_c <= avg_c AND avg_c <= max_c"),
        ),
    )


# pipeline.py:182
@step(
    "gold",
    "device_hourly",
    table="iot_sensors.device_hourly",
    after=("readings",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_device_hourly(run: StepRun) -> DataFrame:
    """readings -> iot_sensors.device_hourly: recomputed from the whole silver
    tables and replaced in every run.

    In incremental runs it is skipped when neither readings nor its code changed
    since its last run; otherwise it recomputes in full: its groupBy at
    pipeline.py:69 does not name its key columns literally.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("iot_sensors.readings", code="91fe1d9cbafd"):
        return run.skip("readings did not change since its last run")
    silvers = run.declared(
        {"readings": run.whole("readings", "iot_sensors.readings")},
        argument="source_silvers",
    )
    df = device_hourly(run.spark, silvers)
    checked = run.validate(
        df,
        device_hourly_rules(),
        keep=("device_id", "hour", "readings", "avg_c", "min_c", "max_c"),
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


def temperature_spikes_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'temperature_spikes' (pipeline.py:196)."""
    return (
        Rule("reading_id", "not_null", F.col("reading_id").isNotNull()),
        Rule("device_id", "not_null", F.col("device_id").isNotNull()),
        Rule("event_ts", "not_null", F.col("event_ts").isNotNull()),
        Rule("baseline_c", "not_null", F.col("baseline_c").isNotNull()),
        Rule("delta_c", "not_in([0.0])", ~F.col("delta_c").isin([0.0])),
    )


# pipeline.py:196
@step(
    "gold",
    "temperature_spikes",
    table="iot_sensors.temperature_spikes",
    after=("site_readings",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_temperature_spikes(run: StepRun) -> DataFrame:
    """site_readings -> iot_sensors.temperature_spikes: recomputed from the whole
    silver tables and replaced in every run.

    In incremental runs it is skipped when neither site_readings nor its code
    changed since its last run; otherwise it recomputes in full: it has no
    groupBy(...).agg(...) at pipeline.py:85.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("iot_sensors.site_readings", code="04bf37ab8360"):
        return run.skip("site_readings did not change since its last run")
    silvers = run.declared(
        {"site_readings": run.whole("site_readings", "iot_sensors.site_readings")},
        argument="source_silvers",
    )
    df = temperature_spikes(run.spark, silvers)
    checked = run.validate(
        df,
        temperature_spikes_rules(),
        keep=(
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
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


def site_daily_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'site_daily' (pipeline.py:213)."""
    return (
        Rule(
            "site",
            "not_empty",
            F.col("site").isNotNull() & (F.length(F.col("site")) > 0),
        ),
        Rule("event_date", "not_null", F.col("event_date").isNotNull()),
        Rule("readings", "positive", F.col("readings") > 0),
        Rule("late_readings", "non_negative", F.col("late_readings") >= 0),
        Rule(
            "late_readings",
            "late_readings <= readings",
            F.expr("late_readings <= readings"),
        ),
        Rule("devices", "positive", F.col("devices") > 0),
    )


# pipeline.py:213
@step(
    "gold",
    "site_daily",
    table="iot_sensors.site_daily",
    after=("site_readings",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
    refresh_by=("site", "event_date"),
)
def gold_site_daily(run: StepRun) -> DataFrame:
    """site_readings -> iot_sensors.site_daily: recomputed from the whole silver
    tables and replaced in initial and full-refresh runs.

    In incremental runs it is skipped when neither site_readings nor its code
    changed since its last run; otherwise it recomputes only the groups (by site
    and event_date) that the new rows of site_readings touch and merges them
    into the table, deleting groups that no longer produce a row.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("iot_sensors.site_readings", code="08ccfa1baccf"):
        return run.skip("site_readings did not change since its last run")
    groups = run.changed_groups("site_readings", "iot_sensors.site_readings")
    silvers = run.declared(
        {
            "site_readings": run.in_groups(
                run.whole("site_readings", "iot_sensors.site_readings"), groups
            )
        },
        argument="source_silvers",
    )
    df = site_daily(run.spark, silvers)
    checked = run.validate(
        df,
        site_daily_rules(),
        keep=(
            "site",
            "event_date",
            "readings",
            "late_readings",
            "devices",
            "avg_c",
            "avg_humidity_pct",
        ),
    )
    run.gate(checked, min_rate=99.0)
    run.publish_groups(checked, groups)
    return checked.valid


PIPELINE = Pipeline(
    name="iot_sensors",
    log_table="iot_sensors.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="de072b5f1ebf18a22fb533782764f8ce4944e647440417ada6ba1c72aa760b10",
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
            (bronze_devices, bronze_sensor_readings),  # stage 1: side by side
            (silver_device_registry, silver_readings),  # stage 2: side by side
            (silver_site_readings,),  # stage 3
            (
                gold_device_hourly,
                gold_site_daily,
                gold_temperature_spikes,
            ),  # stage 4: side by side
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
