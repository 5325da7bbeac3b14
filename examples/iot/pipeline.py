"""IoT sensor readings: raw readings and a device registry -> clean readings -> hourly and daily views.

Devices buffer readings when they lose connectivity and upload them later, so a batch can hold rows
whose `event_ts` (when the sensor measured) is hours older than rows already loaded. Incremental runs
therefore key on `ingested_at` (when the row landed), not on `event_ts`: every new upload is picked up
however late its readings are, and each row is processed exactly once. The gold views group by event
time and are recomputed from the whole silver tables, so a late reading lands in the right hour.

Compile it with `sparkforge compile examples/iot/pipeline.py -o examples/iot/job.py`.
"""

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

SCHEMA = "iot_sensors"
LATE_AFTER_MINUTES = 60
SPIKE_DELTA_C = 8.0
MODELS = ["TH-100", "TH-200", "TH-300X"]

READING_RULES = {
    "reading_id": ["not_null"],
    "device_id": ["not_null", "not_empty"],
    "event_ts": ["not_null"],
    "ingested_at": ["not_null", "ingested_at >= event_ts"],
    "temperature_c": [["between", -40.0, 125.0]],
    "humidity_pct": [["gte", 0.0], ["lte", 100.0]],
    "battery_pct": [],
}
DEVICE_RULES = {
    "device_id": ["not_null", "not_empty"],
    "site": ["not_empty"],
    "model": [["in", MODELS]],
    "installed_on": ["not_null"],
}


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


def device_registry(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """One row per device, site names normalised."""
    return bronze_df.withColumn("site", F.upper(F.trim("site"))).dropDuplicates(["device_id"])


def site_readings(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """This run's readings with their device's site; readings of unregistered devices go to UNKNOWN."""
    devices = prior_silvers["device_registry"].select("device_id", "site", "model")
    return (
        prior_silvers["readings"]
        .join(devices, "device_id", "left")
        .withColumn("site", F.coalesce("site", F.lit("UNKNOWN")))
        .withColumn("model", F.coalesce("model", F.lit("unregistered")))
    )


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


def build(spark: SparkSession) -> PipelineBuilder:
    """The IoT pipeline; tables go to the `iot_sensors` schema."""
    return (
        PipelineBuilder(
            spark=spark,
            schema=SCHEMA,
            min_bronze_rate=90.0,
            min_silver_rate=98.0,
            min_gold_rate=99.0,
            pipeline_name="iot_sensors",
        )
        .with_bronze_rules(
            name="sensor_readings",
            rules=READING_RULES,
            incremental_col="ingested_at",
            description="Raw readings as uploaded by the gateways; late uploads are common.",
        )
        .with_bronze_rules(name="devices", rules=DEVICE_RULES)
        .add_silver_transform(
            name="readings",
            source_bronze="sensor_readings",
            transform=clean_readings,
            rules={
                "reading_id": ["not_null"],
                "device_id": ["not_null"],
                "event_ts": ["not_null"],
                "ingested_at": ["not_null"],
                "event_date": ["not_null"],
                "temperature_c": ["not_null"],
                "humidity_pct": [],
                "delay_minutes": ["non_negative"],
                "is_late": [],
            },
            table_name="readings",
            watermark_col="ingested_at",
        )
        .add_silver_transform(
            name="device_registry",
            source_bronze="devices",
            transform=device_registry,
            rules={"device_id": ["not_null"], "site": ["not_empty"], "model": ["not_null"]},
            table_name="device_registry",
        )
        .add_silver_transform(
            name="site_readings",
            source_bronze="sensor_readings",
            depends_on=["readings", "device_registry"],
            transform=site_readings,
            rules={
                "reading_id": ["not_null"],
                "device_id": ["not_null"],
                "site": ["not_empty"],
                "model": ["not_null"],
                "event_ts": ["not_null"],
                "event_date": ["not_null"],
                "ingested_at": ["not_null"],
                "temperature_c": [],
                "humidity_pct": [],
                "is_late": [],
            },
            table_name="site_readings",
            watermark_col="ingested_at",
        )
        .add_gold_transform(
            name="device_hourly",
            source_silvers=["readings"],
            transform=device_hourly,
            rules={
                "device_id": ["not_null"],
                "hour": ["not_null"],
                "readings": ["positive"],
                "min_c": [],
                "avg_c": ["min_c <= avg_c AND avg_c <= max_c"],
                "max_c": [],
            },
            table_name="device_hourly",
        )
        .add_gold_transform(
            name="temperature_spikes",
            source_silvers=["site_readings"],
            transform=temperature_spikes,
            rules={
                "reading_id": ["not_null"],
                "device_id": ["not_null"],
                "site": [],
                "event_ts": ["not_null"],
                "temperature_c": [],
                "previous_c": [],
                "baseline_c": ["not_null"],
                "delta_c": [["not_in", [0.0]]],
                "is_late": [],
            },
            table_name="temperature_spikes",
        )
        .add_gold_transform(
            name="site_daily",
            source_silvers=["site_readings"],
            transform=site_daily,
            rules={
                "site": ["not_empty"],
                "event_date": ["not_null"],
                "readings": ["positive"],
                "late_readings": ["non_negative", "late_readings <= readings"],
                "devices": ["positive"],
                "avg_c": [],
                "avg_humidity_pct": [],
            },
            table_name="site_daily",
        )
    )
