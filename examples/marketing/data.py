"""Deterministic synthetic data for the marketing example: the same seed gives the same rows.

Rows are computed by Spark from `range` ids with hash-based pseudo-random values. One click every
12 minutes from 2025-03-03, spread over 10 campaigns (and a few clicks on a campaign id that does
not exist); about 5% of clicks come from bots. About 3% of clicks are bad (no user, a negative or
absurd cost, an unknown device). Campaign `cmp-010` has an invalid channel, so its clicks stay
unattributed. Conversions come from the same users, a few hours after their clicks; 2% are bad.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

CHANNELS = ["search", "social", "display", "email", "video"]
DEVICES = ["desktop", "mobile", "tablet"]
AGENTS = ["Mozilla/5.0 (X11; Linux)", "Mozilla/5.0 (iPhone)", "Mozilla/5.0 (iPad)"]
BOT_AGENTS = ["Googlebot/2.1", "AhrefsBot/7.0", "python-crawler/1.0"]
EPOCH = 1_740_960_000  # 2025-03-03T00:00:00Z
CLICK_EVERY_SECONDS = 720
CAMPAIGNS = 10
USERS = 120


def _rand(seed: int, salt: str) -> Column:
    """A deterministic value in [0, 1) per row id."""
    return (F.abs(F.xxhash64(F.col("id"), F.lit(seed), F.lit(salt))) % 1_000_000) / 1_000_000.0


def _pick(values: list[str], r: Column) -> Column:
    return F.element_at(F.array(*[F.lit(v) for v in values]), (r * len(values)).cast("int") + 1)


def clicks(spark: SparkSession, n: int, *, first_id: int = 0, seed: int = 23) -> DataFrame:
    """`n` clicks with ids from `first_id`; call again with `first_id=n` for the next batch."""
    bad = _rand(seed, "bad") < 0.03
    kind = _rand(seed, "kind")
    bot = _rand(seed, "bot") < 0.05
    campaign = F.when(_rand(seed, "ghost") < 0.02, F.lit("cmp-099")).otherwise(
        F.format_string("cmp-%03d", (_rand(seed, "c") * CAMPAIGNS).cast("int") + 1)
    )
    return spark.range(first_id, first_id + n).select(
        F.format_string("clk-%06d", F.col("id")).alias("click_id"),
        campaign.alias("campaign_id"),
        F.when(bad & (kind < 0.34), None)
        .otherwise((_rand(seed, "u") * USERS).cast("long"))
        .alias("user_id"),
        F.timestamp_seconds(F.lit(EPOCH) + F.col("id") * CLICK_EVERY_SECONDS).alias("click_ts"),
        F.when(bad & (kind >= 0.34) & (kind < 0.67), F.when(kind < 0.5, -1.5).otherwise(75.0))
        .otherwise(F.round(0.2 + _rand(seed, "cost") * 4.8, 2))
        .alias("cost"),
        F.when(bad & (kind >= 0.67), F.lit("smart-fridge"))
        .otherwise(_pick(DEVICES, _rand(seed, "d")))
        .alias("device"),
        F.when(bot, _pick(BOT_AGENTS, _rand(seed, "a")))
        .otherwise(_pick(AGENTS, _rand(seed, "a")))
        .alias("user_agent"),
    )


def campaigns(spark: SparkSession, *, seed: int = 29) -> DataFrame:
    """The campaign export: `cmp-001` .. `cmp-010`, flights of 10 to 40 days from late February."""
    start = F.date_add(F.lit("2025-02-24").cast("date"), (_rand(seed, "s") * 10).cast("int"))
    return spark.range(1, CAMPAIGNS + 1).select(
        F.format_string("cmp-%03d", F.col("id")).alias("campaign_id"),
        F.concat(F.lit(" Spring push #"), F.col("id").cast("string"), F.lit(" ")).alias(
            "campaign_name"
        ),
        F.when(F.col("id") == CAMPAIGNS, F.lit("fax"))
        .otherwise(_pick(CHANNELS, _rand(seed, "ch")))
        .alias("channel"),
        F.round(20 + _rand(seed, "b") * 180, 0).alias("daily_budget"),
        start.alias("start_date"),
        F.date_add(start, 10 + (_rand(seed, "len") * 30).cast("int")).alias("end_date"),
    )


def conversions(
    spark: SparkSession, n: int, *, first_id: int = 0, clicks_seen: int = 400, seed: int = 31
) -> DataFrame:
    """`n` conversions, each a few hours after a click among the first `clicks_seen` clicks."""
    click = (_rand(seed, "k") * clicks_seen).cast("long")
    clicked_at = F.lit(EPOCH) + click * CLICK_EVERY_SECONDS
    bad = _rand(seed, "bad") < 0.02
    return spark.range(first_id, first_id + n).select(
        F.format_string("cv-%05d", F.col("id")).alias("conversion_id"),
        # The clicking user, found by the same hash the click generator used.
        ((F.abs(F.xxhash64(click, F.lit(23), F.lit("u"))) % 1_000_000) / 1_000_000.0 * USERS)
        .cast("long")
        .alias("user_id"),
        F.timestamp_seconds(clicked_at + 600 + (_rand(seed, "lag") * 86_400).cast("long")).alias(
            "converted_at"
        ),
        F.when(bad, F.lit(0.0)).otherwise(F.round(15 + _rand(seed, "r") * 285, 2)).alias("revenue"),
    )
