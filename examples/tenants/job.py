r"""Pipeline 'saas_usage': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 2a1cbe741bfa9f7c897fd4d7d5e53e5d1888710a2f2499922d5b0286e136aff3).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 2 bronze, 3 silver, 4 gold in 4 stages.

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

# pipeline.py:21
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:22
from pyspark.sql import functions as F

# pipeline.py:29
ACME = "acme"

# pipeline.py:30
GLOBEX = "globex"


# pipeline.py:114
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


# pipeline.py:53
def clean_events(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """Usage events with their day and size in megabytes."""
    return bronze_df.withColumn("event_date", F.to_date("event_time")).withColumn(
        "megabytes", F.round(F.col("bytes") / 1048576, 3)
    )


# pipeline.py:60
def account_registry(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """One row per account; tenant names lower-cased so they match the reporting schemas."""
    return bronze_df.withColumn("tenant_name", F.lower(F.trim("tenant_name"))).dropDuplicates(
        ["account_id"]
    )


# pipeline.py:67
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


# pipeline.py:81
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


# pipeline.py:94
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


# pipeline.py:127
def acme_usage(spark: SparkSession, silvers: dict) -> DataFrame:
    return _tenant_summary(silvers["tenant_usage"], ACME)


# pipeline.py:131
def globex_usage(spark: SparkSession, silvers: dict) -> DataFrame:
    return _tenant_summary(silvers["tenant_usage"], GLOBEX)


def bronze_usage_events() -> StepSpec:
    """Bronze step 'usage_events' (pipeline.py:155): reads saas_raw.usage_events unless --source binds it."""
    return StepSpec(
        name="usage_events",
        layer="bronze",
        threshold=90.0,
        table="saas_raw.usage_events",
        incremental_col="event_time",
        keep_columns=(
            "event_id",
            "tenant_id",
            "account_id",
            "user_id",
            "event_type",
            "event_time",
            "bytes",
        ),
        rules=(
            Rule("event_id", "not_null", F.col("event_id").isNotNull()),
            Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
            Rule("tenant_id", "like('t-%')", F.col("tenant_id").like("t-%")),
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule(
                "event_type",
                "in(['login', 'api_call', 'export', 'upload'])",
                F.col("event_type").isin(["login", "api_call", "export", "upload"]),
            ),
            Rule("event_time", "not_null", F.col("event_time").isNotNull()),
            Rule("bytes", "non_negative", F.col("bytes") >= 0),
        ),
    )


def bronze_accounts() -> StepSpec:
    """Bronze step 'accounts' (pipeline.py:158): reads saas_raw.accounts unless --source binds it."""
    return StepSpec(
        name="accounts",
        layer="bronze",
        threshold=90.0,
        table="saas_raw.accounts",
        keep_columns=("account_id", "tenant_id", "tenant_name", "plan", "seats"),
        rules=(
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
            Rule(
                "tenant_name",
                "not_empty",
                F.col("tenant_name").isNotNull() & (F.length(F.col("tenant_name")) > 0),
            ),
            Rule(
                "plan",
                "in(['free', 'team', 'enterprise'])",
                F.col("plan").isin(["free", "team", "enterprise"]),
            ),
            Rule("seats", "between(1, 10000)", F.col("seats").between(1, 10000)),
        ),
    )


def silver_events() -> StepSpec:
    """Silver step 'events' (pipeline.py:159): writes saas_core.events."""
    return StepSpec(
        name="events",
        layer="silver",
        threshold=97.0,
        table="saas_core.events",
        source_bronze="usage_events",
        watermark_col="event_time",
        keep_columns=(
            "event_id",
            "tenant_id",
            "account_id",
            "user_id",
            "event_type",
            "event_time",
            "event_date",
            "megabytes",
        ),
        transform=clean_events,
        rules=(
            Rule("event_id", "not_null", F.col("event_id").isNotNull()),
            Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("event_type", "not_null", F.col("event_type").isNotNull()),
            Rule("event_time", "not_null", F.col("event_time").isNotNull()),
            Rule("event_date", "not_null", F.col("event_date").isNotNull()),
            Rule("megabytes", "non_negative", F.col("megabytes") >= 0),
        ),
    )


def silver_account_registry() -> StepSpec:
    """Silver step 'account_registry' (pipeline.py:177): writes saas_core.account_registry."""
    return StepSpec(
        name="account_registry",
        layer="silver",
        threshold=97.0,
        table="saas_core.account_registry",
        source_bronze="accounts",
        keep_columns=("account_id", "tenant_id", "tenant_name", "plan", "seats"),
        transform=account_registry,
        rules=(
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
            Rule(
                "tenant_name",
                "not_empty",
                F.col("tenant_name").isNotNull() & (F.length(F.col("tenant_name")) > 0),
            ),
            Rule("plan", "not_null", F.col("plan").isNotNull()),
            Rule("seats", "positive", F.col("seats") > 0),
        ),
    )


def silver_tenant_usage() -> StepSpec:
    """Silver step 'tenant_usage' (pipeline.py:191): writes saas_core.tenant_usage."""
    return StepSpec(
        name="tenant_usage",
        layer="silver",
        threshold=97.0,
        table="saas_core.tenant_usage",
        source_bronze="usage_events",
        depends_on=("events", "account_registry"),
        watermark_col="event_time",
        keep_columns=(
            "event_id",
            "tenant_id",
            "tenant_name",
            "account_id",
            "plan",
            "user_id",
            "event_time",
            "event_type",
            "event_date",
            "megabytes",
        ),
        transform=tenant_usage,
        rules=(
            Rule("event_id", "not_null", F.col("event_id").isNotNull()),
            Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
            Rule(
                "tenant_name",
                "not_empty",
                F.col("tenant_name").isNotNull() & (F.length(F.col("tenant_name")) > 0),
            ),
            Rule("account_id", "not_null", F.col("account_id").isNotNull()),
            Rule("plan", "not_null", F.col("plan").isNotNull()),
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("event_time", "not_null", F.col("event_time").isNotNull()),
        ),
    )


def gold_tenant_daily_usage() -> StepSpec:
    """Gold step 'tenant_daily_usage' (pipeline.py:212): writes saas_analytics.tenant_daily_usage."""
    return StepSpec(
        name="tenant_daily_usage",
        layer="gold",
        threshold=99.0,
        table="saas_analytics.tenant_daily_usage",
        source_silvers=("tenant_usage",),
        keep_columns=(
            "tenant_id",
            "tenant_name",
            "event_date",
            "events",
            "active_users",
            "megabytes",
        ),
        transform=tenant_daily_usage,
        rules=(
            Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
            Rule(
                "tenant_name",
                "not_empty",
                F.col("tenant_name").isNotNull() & (F.length(F.col("tenant_name")) > 0),
            ),
            Rule("event_date", "not_null", F.col("event_date").isNotNull()),
            Rule("events", "positive", F.col("events") > 0),
            Rule("active_users", "positive", F.col("active_users") > 0),
            Rule("megabytes", "non_negative", F.col("megabytes") >= 0),
        ),
    )


def gold_plan_utilisation() -> StepSpec:
    """Gold step 'plan_utilisation' (pipeline.py:227): writes saas_analytics.plan_utilisation."""
    return StepSpec(
        name="plan_utilisation",
        layer="gold",
        threshold=99.0,
        table="saas_analytics.plan_utilisation",
        source_silvers=("account_registry", "tenant_usage"),
        keep_columns=("plan", "accounts", "seats", "active_users", "seat_use_pct"),
        transform=plan_utilisation,
        rules=(
            Rule(
                "plan",
                "in(['free', 'team', 'enterprise'])",
                F.col("plan").isin(["free", "team", "enterprise"]),
            ),
            Rule("accounts", "positive", F.col("accounts") > 0),
            Rule("seats", "positive", F.col("seats") > 0),
            Rule("active_users", "non_negative", F.col("active_users") >= 0),
            Rule("seat_use_pct", "between(0.0, 100.0)", F.col("seat_use_pct").between(0.0, 100.0)),
        ),
    )


def gold_acme_usage() -> StepSpec:
    """Gold step 'acme_usage' (pipeline.py:241): writes acme_reporting.usage_summary."""
    return StepSpec(
        name="acme_usage",
        layer="gold",
        threshold=99.0,
        table="acme_reporting.usage_summary",
        source_silvers=("tenant_usage",),
        keep_columns=("event_date", "event_type", "events", "users", "megabytes"),
        transform=acme_usage,
        rules=(
            Rule("event_date", "not_null", F.col("event_date").isNotNull()),
            Rule(
                "event_type",
                "in(['login', 'api_call', 'export', 'upload'])",
                F.col("event_type").isin(["login", "api_call", "export", "upload"]),
            ),
            Rule("events", "positive", F.col("events") > 0),
            Rule("users", "positive", F.col("users") > 0),
            Rule("users", "users <= events", F.expr("users <= events")),
            Rule("megabytes", "non_negative", F.col("megabytes") >= 0),
        ),
    )


def gold_globex_usage() -> StepSpec:
    """Gold step 'globex_usage' (pipeline.py:249): writes globex_reporting.usage_summary."""
    return StepSpec(
        name="globex_usage",
        layer="gold",
        threshold=99.0,
        table="globex_reporting.usage_summary",
        source_silvers=("tenant_usage",),
        keep_columns=("event_date", "event_type", "events", "users", "megabytes"),
        transform=globex_usage,
        rules=(
            Rule("event_date", "not_null", F.col("event_date").isNotNull()),
            Rule(
                "event_type",
                "in(['login', 'api_call', 'export', 'upload'])",
                F.col("event_type").isin(["login", "api_call", "export", "upload"]),
            ),
            Rule("events", "positive", F.col("events") > 0),
            Rule("users", "positive", F.col("users") > 0),
            Rule("users", "users <= events", F.expr("users <= events")),
            Rule("megabytes", "non_negative", F.col("megabytes") >= 0),
        ),
    )


JOB = JobDefinition(
    pipeline_name="saas_usage",
    source_file="pipeline.py",
    source_hash="2a1cbe741bfa9f7c897fd4d7d5e53e5d1888710a2f2499922d5b0286e136aff3",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=4,
    unified=False,
    log_table="saas_ops.pipeline_logs",
    steps=(
        PlannedStep(1, "accounts", "bronze", "saas_raw.accounts"),
        PlannedStep(1, "usage_events", "bronze", "saas_raw.usage_events", incremental=True),
        PlannedStep(
            2, "account_registry", "silver", "saas_core.account_registry", upstream=("accounts",)
        ),
        PlannedStep(
            2, "events", "silver", "saas_core.events", upstream=("usage_events",), incremental=True
        ),
        PlannedStep(
            3,
            "tenant_usage",
            "silver",
            "saas_core.tenant_usage",
            upstream=("usage_events", "events", "account_registry"),
            incremental=True,
        ),
        PlannedStep(
            4, "acme_usage", "gold", "acme_reporting.usage_summary", upstream=("tenant_usage",)
        ),
        PlannedStep(
            4, "globex_usage", "gold", "globex_reporting.usage_summary", upstream=("tenant_usage",)
        ),
        PlannedStep(
            4,
            "plan_utilisation",
            "gold",
            "saas_analytics.plan_utilisation",
            upstream=("account_registry", "tenant_usage"),
        ),
        PlannedStep(
            4,
            "tenant_daily_usage",
            "gold",
            "saas_analytics.tenant_daily_usage",
            upstream=("tenant_usage",),
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_accounts, bronze_usage_events),  # stage 1, parallel
        (silver_account_registry, silver_events),  # stage 2, parallel
        (silver_tenant_usage,),  # stage 3
        (
            gold_acme_usage,
            gold_globex_usage,
            gold_plan_utilisation,
            gold_tenant_daily_usage,
        ),  # stage 4, parallel
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
