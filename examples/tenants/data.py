"""Deterministic synthetic data for the tenants example: the same seed gives the same rows.

Rows are computed by Spark from `range` ids with hash-based pseudo-random values. Three tenants
(Acme, Globex, Initech) own `accounts` accounts between them; account `a` belongs to tenant `a % 3`.
Events arrive in event-time order (one every 5 minutes). About 3% are bad (no tenant, an event type
the product does not have, a negative size), and about 2% come from an account that is not in the
registry yet (kept, marked `unknown`). The account registry has one bad row (no plan).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

TENANTS = [("t-001", " Acme "), ("t-002", "GLOBEX"), ("t-003", "Initech")]
EVENT_TYPES = ["login", "api_call", "api_call", "api_call", "export", "upload"]
PLANS = ["free", "team", "team", "enterprise"]
EPOCH = 1_751_328_000  # 2025-07-01T00:00:00Z
USERS_PER_ACCOUNT = 6


def _rand(seed: int, salt: str) -> Column:
    """A deterministic value in [0, 1) per row id."""
    return (F.abs(F.xxhash64(F.col("id"), F.lit(seed), F.lit(salt))) % 1_000_000) / 1_000_000.0


def _pick(values: list[str], r: Column) -> Column:
    return F.element_at(F.array(*[F.lit(v) for v in values]), (r * len(values)).cast("int") + 1)


def _nth(values: list[str], index: Column) -> Column:
    """`values[index % len(values)]`."""
    return F.element_at(F.array(*[F.lit(v) for v in values]), (index % len(values) + 1).cast("int"))


def _tenant_id(account: Column) -> Column:
    return _nth([t for t, _ in TENANTS], account)


def usage_events(
    spark: SparkSession, n: int, *, first_id: int = 0, accounts: int = 30, seed: int = 17
) -> DataFrame:
    """`n` events with ids from `first_id`; call again with `first_id=n` for the next batch."""
    bad = _rand(seed, "bad") < 0.03
    kind = _rand(seed, "kind")
    unregistered = _rand(seed, "new") < 0.02
    account = F.when(unregistered, accounts + (_rand(seed, "a") * 3).cast("long")).otherwise(
        (_rand(seed, "a") * accounts).cast("long")
    )
    return spark.range(first_id, first_id + n).select(
        F.col("id").alias("event_id"),
        F.when(bad & (kind < 0.34), None).otherwise(_tenant_id(account)).alias("tenant_id"),
        account.alias("account_id"),
        (account * 1000 + (_rand(seed, "u") * USERS_PER_ACCOUNT).cast("long")).alias("user_id"),
        F.when(bad & (kind >= 0.34) & (kind < 0.67), F.lit("delete_everything"))
        .otherwise(_pick(EVENT_TYPES, _rand(seed, "t")))
        .alias("event_type"),
        F.timestamp_seconds(F.lit(EPOCH) + F.col("id") * 300).alias("event_time"),
        F.when(bad & (kind >= 0.67), -1)
        .otherwise((F.pow(_rand(seed, "b"), 3) * 50_000_000).cast("long"))
        .alias("bytes"),
    )


def accounts(spark: SparkSession, n: int = 30, *, seed: int = 19) -> DataFrame:
    """The account registry; the last account has no plan yet (a bad row)."""
    tenant_name = _nth([name for _, name in TENANTS], F.col("id"))
    return spark.range(0, n).select(
        F.col("id").alias("account_id"),
        _tenant_id(F.col("id")).alias("tenant_id"),
        tenant_name.alias("tenant_name"),
        F.when(F.col("id") == n - 1, None).otherwise(_pick(PLANS, _rand(seed, "p"))).alias("plan"),
        (USERS_PER_ACCOUNT + (_rand(seed, "s") * 20).cast("int")).alias("seats"),
    )
