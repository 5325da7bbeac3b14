"""Deterministic synthetic data for the e-commerce example: the same seed gives the same rows.

Rows are computed by Spark from `range` ids with hash-based pseudo-random values, so any size is
generated in parallel without Python loops. About 2% of orders and 1% of customers are deliberately bad
(NULL keys, zero quantities, unknown statuses, malformed emails) so that validation has work to do.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

STATUSES = ["placed", "shipped", "delivered", "returned"]
COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"]
EPOCH = 1_735_689_600  # 2025-01-01T00:00:00Z


def _rand(seed: int, salt: str) -> Column:
    """A deterministic value in [0, 1) per row id."""
    return (F.abs(F.xxhash64(F.col("id"), F.lit(seed), F.lit(salt))) % 1_000_000) / 1_000_000.0


def orders(spark: SparkSession, n: int, *, seed: int = 7, first_id: int = 0, customers: int = 1000) -> DataFrame:
    """`n` orders with ids from `first_id`; timestamps grow with the id (one order a minute)."""
    base = spark.range(first_id, first_id + n)
    bad = _rand(seed, "bad") < 0.02
    return base.select(
        F.col("id").alias("order_id"),
        F.when(bad & (_rand(seed, "k") < 0.5), None)
        .otherwise((_rand(seed, "c") * customers).cast("long"))
        .alias("customer_id"),
        F.timestamp_seconds(F.lit(EPOCH) + F.col("id") * 60).alias("order_ts"),
        F.when(bad & (_rand(seed, "k") >= 0.5), 0)
        .otherwise((_rand(seed, "q") * 5).cast("int") + 1)
        .alias("quantity"),
        F.round(_rand(seed, "p") * 200 + 1, 2).alias("unit_price"),
        F.element_at(F.array(*[F.lit(s) for s in STATUSES]), (_rand(seed, "s") * 4).cast("int") + 1)
        .alias("status"),
    )


def customers(spark: SparkSession, n: int = 1000, *, seed: int = 11) -> DataFrame:
    base = spark.range(0, n)
    bad = _rand(seed, "bad") < 0.01
    return base.select(
        F.col("id").alias("customer_id"),
        F.when(bad, F.concat(F.lit("user"), F.col("id"), F.lit(".example.com")))
        .otherwise(F.concat(F.lit(" User"), F.col("id"), F.lit("@Example.com ")))
        .alias("email"),
        F.element_at(F.array(*[F.lit(c) for c in COUNTRIES]), (_rand(seed, "c") * 8).cast("int") + 1)
        .alias("country"),
        F.date_add(F.lit("2024-01-01").cast("date"), (_rand(seed, "d") * 365).cast("int")).alias(
            "signup_date"
        ),
    )
