"""A multi-tenant SaaS pipeline across schemas: raw landing, shared processing, analytics, and one
reporting schema per tenant.

    saas_raw          bronze   usage_events, accounts     (landing tables written by the ingestion service)
    saas_core         silver   events, account_registry, tenant_usage
    saas_analytics    gold     tenant_daily_usage, plan_utilisation (every tenant, for the operator)
    acme_reporting    gold     usage_summary (Acme's rows only)
    globex_reporting  gold     usage_summary (Globex's rows only)
    saas_ops          the run log (the builder's schema; no step writes there)

Every step names its schema with `schema=`. The builder checks, when a step is declared, that its
schema exists, so create them first (`SCHEMAS` lists them):

    for name in SCHEMAS:
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {name}")

Compile it with `sparkforge compile examples/tenants/pipeline.py -o examples/tenants/job.py`; the
job creates missing schemas itself when it writes.
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

RAW = "saas_raw"
CORE = "saas_core"
ANALYTICS = "saas_analytics"
OPS = "saas_ops"
ACME = "acme"
GLOBEX = "globex"
SCHEMAS = (RAW, CORE, ANALYTICS, OPS, f"{ACME}_reporting", f"{GLOBEX}_reporting")
EVENT_TYPES = ["login", "api_call", "export", "upload"]
PLANS = ["free", "team", "enterprise"]

EVENT_RULES = {
    "event_id": ["not_null"],
    "tenant_id": ["not_null", ["like", "t-%"]],
    "account_id": ["not_null"],
    "user_id": ["not_null"],
    "event_type": [["in", EVENT_TYPES]],
    "event_time": ["not_null"],
    "bytes": ["non_negative"],
}
ACCOUNT_RULES = {
    "account_id": ["not_null"],
    "tenant_id": ["not_null"],
    "tenant_name": ["not_empty"],
    "plan": [["in", PLANS]],
    "seats": [["between", 1, 10000]],
}


def clean_events(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """Usage events with their day and size in megabytes."""
    return bronze_df.withColumn("event_date", F.to_date("event_time")).withColumn(
        "megabytes", F.round(F.col("bytes") / 1048576, 3)
    )


def account_registry(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """One row per account; tenant names lower-cased so they match the reporting schemas."""
    return bronze_df.withColumn("tenant_name", F.lower(F.trim("tenant_name"))).dropDuplicates(
        ["account_id"]
    )


def tenant_usage(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """This run's events with the account's tenant name and plan (events of unknown accounts are kept
    and marked, so the operator sees them in analytics)."""
    accounts = prior_silvers["account_registry"].select(
        "account_id", "tenant_name", "plan", "seats"
    )
    return (
        prior_silvers["events"]
        .join(accounts, "account_id", "left")
        .withColumn("tenant_name", F.coalesce("tenant_name", F.lit("unknown")))
        .withColumn("plan", F.coalesce("plan", F.lit("unknown")))
    )


def tenant_daily_usage(spark: SparkSession, silvers: dict) -> DataFrame:
    """Per tenant and day: events, active users and traffic."""
    return (
        silvers["tenant_usage"]
        .groupBy("tenant_id", "tenant_name", "event_date")
        .agg(
            F.count("*").alias("events"),
            F.countDistinct("user_id").alias("active_users"),
            F.round(F.sum("megabytes"), 3).alias("megabytes"),
        )
    )


def plan_utilisation(spark: SparkSession, silvers: dict) -> DataFrame:
    """Per plan: accounts, seats bought, distinct active users, and seats used in percent."""
    active = (
        silvers["tenant_usage"]
        .groupBy("account_id")
        .agg(F.countDistinct("user_id").alias("active_users"))
    )
    return (
        silvers["account_registry"]
        .join(active, "account_id", "left")
        .groupBy("plan")
        .agg(
            F.count("*").alias("accounts"),
            F.sum("seats").alias("seats"),
            F.sum(F.coalesce("active_users", F.lit(0))).alias("active_users"),
        )
        .withColumn("seat_use_pct", F.round(F.col("active_users") * 100 / F.col("seats"), 2))
    )


def _tenant_summary(usage: DataFrame, tenant: str) -> DataFrame:
    """One tenant's usage by day and event type: what that tenant's own dashboards read."""
    return (
        usage.filter(F.col("tenant_name") == tenant)
        .groupBy("event_date", "event_type")
        .agg(
            F.count("*").alias("events"),
            F.countDistinct("user_id").alias("users"),
            F.round(F.sum("megabytes"), 3).alias("megabytes"),
        )
    )


def acme_usage(spark: SparkSession, silvers: dict) -> DataFrame:
    return _tenant_summary(silvers["tenant_usage"], ACME)


def globex_usage(spark: SparkSession, silvers: dict) -> DataFrame:
    return _tenant_summary(silvers["tenant_usage"], GLOBEX)


TENANT_SUMMARY_RULES = {
    "event_date": ["not_null"],
    "event_type": [["in", EVENT_TYPES]],
    "events": ["positive"],
    "users": ["positive", "users <= events"],
    "megabytes": ["non_negative"],
}


def build(spark: SparkSession) -> PipelineBuilder:
    """The tenants pipeline; the schemas in SCHEMAS must exist first."""
    return (
        PipelineBuilder(
            spark=spark,
            schema=OPS,
            min_bronze_rate=90.0,
            min_silver_rate=97.0,
            min_gold_rate=99.0,
            pipeline_name="saas_usage",
        )
        .with_bronze_rules(
            name="usage_events", rules=EVENT_RULES, incremental_col="event_time", schema=RAW
        )
        .with_bronze_rules(name="accounts", rules=ACCOUNT_RULES, schema=RAW)
        .add_silver_transform(
            name="events",
            source_bronze="usage_events",
            transform=clean_events,
            rules={
                "event_id": ["not_null"],
                "tenant_id": ["not_null"],
                "account_id": ["not_null"],
                "user_id": ["not_null"],
                "event_type": ["not_null"],
                "event_time": ["not_null"],
                "event_date": ["not_null"],
                "megabytes": ["non_negative"],
            },
            table_name="events",
            watermark_col="event_time",
            schema=CORE,
        )
        .add_silver_transform(
            name="account_registry",
            source_bronze="accounts",
            transform=account_registry,
            rules={
                "account_id": ["not_null"],
                "tenant_id": ["not_null"],
                "tenant_name": ["not_empty"],
                "plan": ["not_null"],
                "seats": ["positive"],
            },
            table_name="account_registry",
            schema=CORE,
        )
        .add_silver_transform(
            name="tenant_usage",
            source_bronze="usage_events",
            depends_on=["events", "account_registry"],
            transform=tenant_usage,
            rules={
                "event_id": ["not_null"],
                "tenant_id": ["not_null"],
                "tenant_name": ["not_empty"],
                "account_id": ["not_null"],
                "plan": ["not_null"],
                "user_id": ["not_null"],
                "event_type": [],
                "event_time": ["not_null"],
                "event_date": [],
                "megabytes": [],
            },
            table_name="tenant_usage",
            watermark_col="event_time",
            schema=CORE,
        )
        .add_gold_transform(
            name="tenant_daily_usage",
            source_silvers=["tenant_usage"],
            transform=tenant_daily_usage,
            rules={
                "tenant_id": ["not_null"],
                "tenant_name": ["not_empty"],
                "event_date": ["not_null"],
                "events": ["positive"],
                "active_users": ["positive"],
                "megabytes": ["non_negative"],
            },
            table_name="tenant_daily_usage",
            schema=ANALYTICS,
        )
        .add_gold_transform(
            name="plan_utilisation",
            source_silvers=["account_registry", "tenant_usage"],
            transform=plan_utilisation,
            rules={
                "plan": [["in", PLANS]],
                "accounts": ["positive"],
                "seats": ["positive"],
                "active_users": ["non_negative"],
                "seat_use_pct": [["between", 0.0, 100.0]],
            },
            table_name="plan_utilisation",
            schema=ANALYTICS,
        )
        .add_gold_transform(
            name="acme_usage",
            source_silvers=["tenant_usage"],
            transform=acme_usage,
            rules=TENANT_SUMMARY_RULES,
            table_name="usage_summary",
            schema=f"{ACME}_reporting",
        )
        .add_gold_transform(
            name="globex_usage",
            source_silvers=["tenant_usage"],
            transform=globex_usage,
            rules=TENANT_SUMMARY_RULES,
            table_name="usage_summary",
            schema=f"{GLOBEX}_reporting",
        )
    )
