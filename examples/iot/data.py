"""Deterministic synthetic sensor data for the IoT example: the same seed gives the same rows.

Rows are computed by Spark from `range` ids with hash-based pseudo-random values (no Python loops).
A gateway uploads one reading every 30 seconds (`ingested_at` grows with the id). Most readings
arrive within a minute of being measured; about 8% are *late*: buffered on the device for 2 to 30
hours, so their `event_ts` is older than readings that were loaded in earlier batches. About 3% are
bad (no device id, a sensor fault reading 999 degrees, humidity out of range, or a clock that
ran ahead so the reading seems to arrive before it was taken).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

SITES = ["berlin-dc1", "berlin-dc2", " lyon ", "osaka"]
MODELS = ["TH-100", "TH-200", "TH-300X"]
EPOCH = 1_748_736_000  # 2025-06-01T00:00:00Z
UPLOAD_EVERY_SECONDS = 30


def _rand(seed: int, salt: str) -> Column:
    """A deterministic value in [0, 1) per row id."""
    return (F.abs(F.xxhash64(F.col("id"), F.lit(seed), F.lit(salt))) % 1_000_000) / 1_000_000.0


def _pick(values: list[str], r: Column) -> Column:
    return F.element_at(F.array(*[F.lit(v) for v in values]), (r * len(values)).cast("int") + 1)


def readings(
    spark: SparkSession, n: int, *, first_id: int = 0, devices: int = 12, seed: int = 3
) -> DataFrame:
    """`n` readings with ids from `first_id`; call again with `first_id=n` for the next upload."""
    late = _rand(seed, "late") < 0.08
    bad = _rand(seed, "bad") < 0.03
    kind = _rand(seed, "kind")
    ingested = F.lit(EPOCH) + F.col("id") * UPLOAD_EVERY_SECONDS
    delay = F.when(late, 7_200 + (_rand(seed, "lag") * 100_800).cast("long")).otherwise(
        5 + (_rand(seed, "lag") * 55).cast("long")
    )
    delay = F.when(bad & (kind >= 0.75), -600).otherwise(delay)
    device = F.format_string("dev-%03d", (_rand(seed, "dev") * devices).cast("int"))
    # Each device has its own base temperature; readings wander a few degrees around it.
    base = 18 + (F.abs(F.xxhash64(device, F.lit(seed))) % 80) / 10.0
    temperature = (
        base
        + (_rand(seed, "t") - 0.5) * 6
        + F.when(_rand(seed, "spike") < 0.04, 14.0).otherwise(0.0)
    )
    return spark.range(first_id, first_id + n).select(
        F.col("id").alias("reading_id"),
        F.when(bad & (kind < 0.25), None).otherwise(device).alias("device_id"),
        F.timestamp_seconds(ingested - delay).alias("event_ts"),
        F.timestamp_seconds(ingested).alias("ingested_at"),
        F.when(bad & (kind >= 0.25) & (kind < 0.5), 999.0)
        .otherwise(F.round(temperature, 3))
        .alias("temperature_c"),
        F.when(bad & (kind >= 0.5) & (kind < 0.75), -1.0)
        .otherwise(F.round(35 + _rand(seed, "h") * 40, 2))
        .alias("humidity_pct"),
        (100 - F.col("id") / 50 - _rand(seed, "b") * 5).cast("int").alias("battery_pct"),
    )


def devices(spark: SparkSession, n: int = 12, *, seed: int = 5) -> DataFrame:
    """The registry of `n` devices; the last one is registered without a model (a bad row)."""
    return spark.range(0, n).select(
        F.format_string("dev-%03d", F.col("id")).alias("device_id"),
        _pick(SITES, _rand(seed, "site")).alias("site"),
        F.when(F.col("id") == n - 1, None)
        .otherwise(_pick(MODELS, _rand(seed, "model")))
        .alias("model"),
        F.date_add(F.lit("2024-01-01").cast("date"), (_rand(seed, "d") * 300).cast("int")).alias(
            "installed_on"
        ),
    )
