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

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

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
def clean_events(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """Usage events with their day and size in megabytes."""
    return bronze_df.withColumn("event_date", F.to_date("event_time")).withColumn(
        "megabytes", F.round(F.col("bytes") / 1048576, 3)
    )


# pipeline.py:60
def account_registry(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """One row per account; tenant names lower-cased so they match the reporting schemas."""
    return bronze_df.withColumn(
        "tenant_name", F.lower(F.trim("tenant_name"))
    ).dropDuplicates(["account_id"])


# pipeline.py:67
def tenant_usage(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
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
        .withColumn(
            "seat_use_pct", F.round(F.col("active_users") * 100 / F.col("seats"), 2)
        )
    )


# pipeline.py:127
def acme_usage(spark: SparkSession, silvers: dict) -> DataFrame:
    return _tenant_summary(silvers["tenant_usage"], ACME)


# pipeline.py:131
def globex_usage(spark: SparkSession, silvers: dict) -> DataFrame:
    return _tenant_summary(silvers["tenant_usage"], GLOBEX)


def usage_events_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'usage_events' (pipeline.py:155)."""
    return (
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
    )


# pipeline.py:155
@step("bronze", "usage_events", table="saas_raw.usage_events", watermark="event_time")
def bronze_usage_events(run: StepRun) -> DataFrame:
    """Reads saas_raw.usage_events, or the input bound with --source
    usage_events=...; in incremental runs only the rows whose event_time is
    newer than what saas_core.events and saas_core.tenant_usage last covered.

    Below 90% valid rows it fails; then events, tenant_usage, acme_usage,
    globex_usage, plan_utilisation and tenant_daily_usage are cancelled.
    """
    df = run.read("saas_raw.usage_events")
    if run.incremental:
        since = run.oldest_watermark(
            ("saas_core.events", "event_time"), ("saas_core.tenant_usage", "event_time")
        )
        df = run.newer_than(df, "event_time", since)
    checked = run.validate(
        df,
        usage_events_rules(),
        keep=(
            "event_id",
            "tenant_id",
            "account_id",
            "user_id",
            "event_type",
            "event_time",
            "bytes",
        ),
        watermark="event_time",
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def accounts_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'accounts' (pipeline.py:158)."""
    return (
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
    )


# pipeline.py:158
@step("bronze", "accounts", table="saas_raw.accounts")
def bronze_accounts(run: StepRun) -> DataFrame:
    """Reads saas_raw.accounts, or the input bound with --source accounts=....

    Below 90% valid rows it fails; then account_registry, tenant_usage,
    acme_usage, globex_usage, plan_utilisation and tenant_daily_usage are
    cancelled.
    """
    df = run.read("saas_raw.accounts")
    checked = run.validate(
        df,
        accounts_rules(),
        keep=("account_id", "tenant_id", "tenant_name", "plan", "seats"),
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def events_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'events' (pipeline.py:159)."""
    return (
        Rule("event_id", "not_null", F.col("event_id").isNotNull()),
        Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
        Rule("account_id", "not_null", F.col("account_id").isNotNull()),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("event_type", "not_null", F.col("event_type").isNotNull()),
        Rule("event_time", "not_null", F.col("event_time").isNotNull()),
        Rule("event_date", "not_null", F.col("event_date").isNotNull()),
        Rule("megabytes", "non_negative", F.col("megabytes") >= 0),
    )


# pipeline.py:159
@step(
    "silver",
    "events",
    table="saas_core.events",
    after=("usage_events",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_events(run: StepRun) -> DataFrame:
    """usage_events -> saas_core.events: in incremental runs it appends the rows
    newer than its watermark (event_time); otherwise it replaces the table.

    In incremental runs it is skipped when usage_events passed on no new rows.

    Below 97% valid rows it fails and writes nothing; then tenant_usage,
    acme_usage, globex_usage, plan_utilisation and tenant_daily_usage are
    cancelled.
    """
    since = run.watermark("saas_core.events", "event_time") if run.incremental else None
    if since is not None and run.no_new_rows("usage_events"):
        return run.skip("no new rows in usage_events")
    usage_events = run.newer_than(run.output("usage_events"), "event_time", since)
    priors = run.declared({}, argument="depends_on")
    df = clean_events(run.spark, usage_events, priors)
    checked = run.validate(
        df,
        events_rules(),
        keep=(
            "event_id",
            "tenant_id",
            "account_id",
            "user_id",
            "event_type",
            "event_time",
            "event_date",
            "megabytes",
        ),
        watermark="event_time",
    )
    run.gate(checked, min_rate=97.0)
    run.publish(checked, covered=run.covered("usage_events", since))
    return checked.valid


def account_registry_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'account_registry' (pipeline.py:177)."""
    return (
        Rule("account_id", "not_null", F.col("account_id").isNotNull()),
        Rule("tenant_id", "not_null", F.col("tenant_id").isNotNull()),
        Rule(
            "tenant_name",
            "not_empty",
            F.col("tenant_name").isNotNull() & (F.length(F.col("tenant_name")) > 0),
        ),
        Rule("plan", "not_null", F.col("plan").isNotNull()),
        Rule("seats", "positive", F.col("seats") > 0),
    )


# pipeline.py:177
@step(
    "silver",
    "account_registry",
    table="saas_core.account_registry",
    after=("accounts",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_account_registry(run: StepRun) -> DataFrame:
    """accounts -> saas_core.account_registry: recomputed and replaced in every
    run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 97% valid rows it fails and writes nothing; then tenant_usage,
    acme_usage, globex_usage, plan_utilisation and tenant_daily_usage are
    cancelled.
    """
    accounts = run.output("accounts")
    priors = run.declared({}, argument="depends_on")
    df = account_registry(run.spark, accounts, priors)
    checked = run.validate(
        df,
        account_registry_rules(),
        keep=("account_id", "tenant_id", "tenant_name", "plan", "seats"),
    )
    run.gate(checked, min_rate=97.0)
    run.publish(checked)
    return checked.valid


def tenant_usage_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'tenant_usage' (pipeline.py:191)."""
    return (
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
    )


# pipeline.py:191
@step(
    "silver",
    "tenant_usage",
    table="saas_core.tenant_usage",
    after=("usage_events", "events", "account_registry"),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_tenant_usage(run: StepRun) -> DataFrame:
    """usage_events, events and account_registry -> saas_core.tenant_usage: in
    incremental runs it appends the rows newer than its watermark (event_time);
    otherwise it replaces the table.

    It is never skipped: account_registry replaces its table (or merges into it)
    in every run.

    Below 97% valid rows it fails and writes nothing; then acme_usage,
    globex_usage, plan_utilisation and tenant_daily_usage are cancelled.
    """
    since = (
        run.watermark("saas_core.tenant_usage", "event_time")
        if run.incremental
        else None
    )
    usage_events = run.newer_than(run.output("usage_events"), "event_time", since)
    priors = run.declared(
        {
            "events": run.rows_since("events", "saas_core.events", "event_time", since),
            "account_registry": run.output("account_registry"),
        },
        argument="depends_on",
    )
    df = tenant_usage(run.spark, usage_events, priors)
    checked = run.validate(
        df,
        tenant_usage_rules(),
        keep=(
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
        watermark="event_time",
    )
    run.gate(checked, min_rate=97.0)
    run.publish(checked, covered=run.covered("usage_events", since))
    return checked.valid


def tenant_daily_usage_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'tenant_daily_usage' (pipeline.py:212)."""
    return (
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
    )


# pipeline.py:212
@step(
    "gold",
    "tenant_daily_usage",
    table="saas_analytics.tenant_daily_usage",
    after=("tenant_usage",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
    refresh_by=("tenant_id", "tenant_name", "event_date"),
)
def gold_tenant_daily_usage(run: StepRun) -> DataFrame:
    """tenant_usage -> saas_analytics.tenant_daily_usage: recomputed from the whole
    silver tables and replaced in initial and full-refresh runs.

    In incremental runs it is skipped when neither tenant_usage nor its code
    changed since its last run; otherwise it recomputes only the groups (by
    tenant_id, tenant_name and event_date) that the new rows of tenant_usage
    touch and merges them into the table, deleting groups that no longer produce
    a row.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("saas_core.tenant_usage", code="857929d09925"):
        return run.skip("tenant_usage did not change since its last run")
    groups = run.changed_groups("tenant_usage", "saas_core.tenant_usage")
    silvers = run.declared(
        {
            "tenant_usage": run.in_groups(
                run.whole("tenant_usage", "saas_core.tenant_usage"), groups
            )
        },
        argument="source_silvers",
    )
    df = tenant_daily_usage(run.spark, silvers)
    checked = run.validate(
        df,
        tenant_daily_usage_rules(),
        keep=(
            "tenant_id",
            "tenant_name",
            "event_date",
            "events",
            "active_users",
            "megabytes",
        ),
    )
    run.gate(checked, min_rate=99.0)
    run.publish_groups(checked, groups)
    return checked.valid


def plan_utilisation_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'plan_utilisation' (pipeline.py:227)."""
    return (
        Rule(
            "plan",
            "in(['free', 'team', 'enterprise'])",
            F.col("plan").isin(["free", "team", "enterprise"]),
        ),
        Rule("accounts", "positive", F.col("accounts") > 0),
        Rule("seats", "positive", F.col("seats") > 0),
        Rule("active_users", "non_negative", F.col("active_users") >= 0),
        Rule(
            "seat_use_pct",
            "between(0.0, 100.0)",
            F.col("seat_use_pct").between(0.0, 100.0),
        ),
    )


# pipeline.py:227
@step(
    "gold",
    "plan_utilisation",
    table="saas_analytics.plan_utilisation",
    after=("account_registry", "tenant_usage"),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_plan_utilisation(run: StepRun) -> DataFrame:
    """account_registry and tenant_usage -> saas_analytics.plan_utilisation:
    recomputed from the whole silver tables and replaced in every run.

    It is never skipped: account_registry replaces its table (or merges into it)
    in every run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {
            "account_registry": run.whole(
                "account_registry", "saas_core.account_registry"
            ),
            "tenant_usage": run.whole("tenant_usage", "saas_core.tenant_usage"),
        },
        argument="source_silvers",
    )
    df = plan_utilisation(run.spark, silvers)
    checked = run.validate(
        df,
        plan_utilisation_rules(),
        keep=("plan", "accounts", "seats", "active_users", "seat_use_pct"),
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


def acme_usage_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'acme_usage' (pipeline.py:241)."""
    return (
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
    )


# pipeline.py:241
@step(
    "gold",
    "acme_usage",
    table="acme_reporting.usage_summary",
    after=("tenant_usage",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_acme_usage(run: StepRun) -> DataFrame:
    """tenant_usage -> acme_reporting.usage_summary: recomputed from the whole
    silver tables and replaced in every run.

    In incremental runs it is skipped when neither tenant_usage nor its code
    changed since its last run; otherwise it recomputes in full: it does not
    start from silvers["name"] at pipeline.py:128.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("saas_core.tenant_usage", code="45692cdff88f"):
        return run.skip("tenant_usage did not change since its last run")
    silvers = run.declared(
        {"tenant_usage": run.whole("tenant_usage", "saas_core.tenant_usage")},
        argument="source_silvers",
    )
    df = acme_usage(run.spark, silvers)
    checked = run.validate(
        df,
        acme_usage_rules(),
        keep=("event_date", "event_type", "events", "users", "megabytes"),
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


# pipeline.py:249
@step(
    "gold",
    "globex_usage",
    table="globex_reporting.usage_summary",
    after=("tenant_usage",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_globex_usage(run: StepRun) -> DataFrame:
    """tenant_usage -> globex_reporting.usage_summary: recomputed from the whole
    silver tables and replaced in every run.

    In incremental runs it is skipped when neither tenant_usage nor its code
    changed since its last run; otherwise it recomputes in full: it does not
    start from silvers["name"] at pipeline.py:132.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("saas_core.tenant_usage", code="82bd08befae9"):
        return run.skip("tenant_usage did not change since its last run")
    silvers = run.declared(
        {"tenant_usage": run.whole("tenant_usage", "saas_core.tenant_usage")},
        argument="source_silvers",
    )
    df = globex_usage(run.spark, silvers)
    checked = run.validate(
        df,
        acme_usage_rules(),
        keep=("event_date", "event_type", "events", "users", "megabytes"),
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="saas_usage",
    log_table="saas_ops.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="2a1cbe741bfa9f7c897fd4d7d5e53e5d1888710a2f2499922d5b0286e136aff3",
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
            (bronze_accounts, bronze_usage_events),  # stage 1: side by side
            (silver_account_registry, silver_events),  # stage 2: side by side
            (silver_tenant_usage,),  # stage 3
            (
                gold_acme_usage,
                gold_globex_usage,
                gold_plan_utilisation,
                gold_tenant_daily_usage,
            ),  # stage 4: side by side
        ),
        parallel=True,
        max_workers=4,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
