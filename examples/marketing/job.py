r"""Pipeline 'marketing_bi': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 56aa4d64eb6a0841139c817b511dcd6112a503c197fed59e7858609becc700b0).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 3 bronze, 5 silver, 3 gold in 5 stages.

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

# pipeline.py:14
from pyspark.sql import DataFrame, SparkSession, Window

# pipeline.py:15
from pyspark.sql import functions as F

# pipeline.py:21
ATTRIBUTION_DAYS = 7


# pipeline.py:49
def clean_clicks(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """Clicks with their day and a bot flag from the user agent."""
    return (
        bronze_df.withColumn("click_date", F.to_date("click_ts"))
        .withColumn("is_bot", F.lower("user_agent").rlike("bot|crawler|spider"))
        .drop("user_agent")
    )


# pipeline.py:58
def campaign_dim(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """The campaign dimension, one row per campaign."""
    return bronze_df.withColumn(
        "campaign_name", F.trim("campaign_name")
    ).dropDuplicates(["campaign_id"])


# pipeline.py:65
def enrich_clicks(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """This run's clicks with the campaign's channel and flight dates."""
    campaigns = prior_silvers["campaign_dim"].select(
        "campaign_id", "campaign_name", "channel", "start_date", "end_date"
    )
    return (
        prior_silvers["clicks"]
        .join(campaigns, "campaign_id", "left")
        .withColumn("channel", F.coalesce("channel", F.lit("unattributed")))
        .withColumn(
            "in_flight",
            F.coalesce(
                F.col("click_date").between(F.col("start_date"), F.col("end_date")),
                F.lit(False),
            ),
        )
    )


# pipeline.py:83
def billable(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """Clicks the advertiser pays for: no bots, inside the campaign's flight; cost in cents."""
    return (
        prior_silvers["clicks_enriched"]
        .filter(~F.col("is_bot") & F.col("in_flight"))
        .withColumn("cost_cents", F.round(F.col("cost") * 100).cast("long"))
        .select(
            "click_id",
            "campaign_id",
            "channel",
            "user_id",
            "click_ts",
            "click_date",
            "cost_cents",
        )
    )


# pipeline.py:95
def clean_conversions(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    """One row per conversion, revenue in cents."""
    return (
        bronze_df.dropDuplicates(["conversion_id"])
        .withColumn("revenue_cents", F.round(F.col("revenue") * 100).cast("long"))
        .drop("revenue")
    )


# pipeline.py:104
def channel_daily(spark: SparkSession, silvers: dict) -> DataFrame:
    """Billable clicks, spend and cost per click by channel and day."""
    return (
        silvers["billable_clicks"]
        .groupBy("channel", "click_date")
        .agg(F.count("*").alias("clicks"), F.sum("cost_cents").alias("spend_cents"))
        .withColumn("spend", F.col("spend_cents") / 100)
        .withColumn("cpc", F.round(F.col("spend_cents") / F.col("clicks") / 100, 4))
    )


# pipeline.py:115
def campaign_performance(spark: SparkSession, silvers: dict) -> DataFrame:
    """Last-click attribution: each conversion goes to the user's latest billable click in the
    ATTRIBUTION_DAYS before it; then clicks, spend, conversions, revenue and ROAS per campaign.
    """
    clicks = silvers["billable_clicks"]
    conversions = silvers["conversions"]
    window_end = F.col("k.click_ts") + F.expr(f"INTERVAL {ATTRIBUTION_DAYS} DAYS")
    latest_first = Window.partitionBy("conversion_id").orderBy(
        F.col("click_ts").desc(), F.col("click_id").desc()
    )
    attributed = (
        conversions.alias("c")
        .join(
            clicks.alias("k"),
            (F.col("c.user_id") == F.col("k.user_id"))
            & (F.col("k.click_ts") <= F.col("c.converted_at"))
            & (F.col("c.converted_at") < window_end),
        )
        .select(
            "c.conversion_id",
            "c.revenue_cents",
            "k.click_id",
            "k.click_ts",
            "k.campaign_id",
        )
        .withColumn("rank", F.row_number().over(latest_first))
        .filter(F.col("rank") == 1)
        .groupBy("campaign_id")
        .agg(
            F.count("*").alias("conversions"),
            F.sum("revenue_cents").alias("revenue_cents"),
        )
    )
    spend = clicks.groupBy("campaign_id", "channel").agg(
        F.count("*").alias("clicks"), F.sum("cost_cents").alias("spend_cents")
    )
    return (
        spend.join(attributed, "campaign_id", "left")
        .fillna(0, ["conversions", "revenue_cents"])
        .withColumn("spend", F.col("spend_cents") / 100)
        .withColumn("revenue", F.col("revenue_cents") / 100)
        .withColumn(
            "roas",
            F.when(
                F.col("spend_cents") > 0,
                F.round(F.col("revenue_cents") / F.col("spend_cents"), 4),
            ),
        )
    )


# pipeline.py:155
def budget_pacing(spark: SparkSession, silvers: dict) -> DataFrame:
    """Spend per campaign and day against the daily budget."""
    budgets = silvers["campaign_dim"].select("campaign_id", "daily_budget")
    daily = (
        silvers["billable_clicks"]
        .groupBy("campaign_id", "click_date")
        .agg(F.sum("cost_cents").alias("spend_cents"))
    )
    pct = F.round(F.col("spend_cents") / (F.col("daily_budget") * 100) * 100, 2)
    return (
        daily.join(budgets, "campaign_id")
        .withColumn("budget_used_pct", pct)
        .withColumn(
            "status",
            F.when(F.col("budget_used_pct") > 100, "over")
            .when(F.col("budget_used_pct") >= 80, "on_track")
            .otherwise("under"),
        )
    )


def ad_clicks_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'ad_clicks' (pipeline.py:187)."""
    return (
        Rule("click_id", "not_null", F.col("click_id").isNotNull()),
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule("campaign_id", "like('cmp-%')", F.col("campaign_id").like("cmp-%")),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("click_ts", "not_null", F.col("click_ts").isNotNull()),
        Rule("cost", "cost >= 0 AND cost < 50", F.expr("cost >= 0 AND cost < 50")),
        Rule(
            "device",
            "in(['desktop', 'mobile', 'tablet'])",
            F.col("device").isin(["desktop", "mobile", "tablet"]),
        ),
    )


# pipeline.py:187
@step("bronze", "ad_clicks", table="marketing_bi.ad_clicks", watermark="click_ts")
def bronze_ad_clicks(run: StepRun) -> DataFrame:
    """Reads marketing_bi.ad_clicks, or the input bound with --source
    ad_clicks=...; in incremental runs only the rows whose click_ts is newer
    than what marketing_bi.clicks, marketing_bi.clicks_enriched and
    marketing_bi.billable_clicks last covered.

    Below 90% valid rows it fails; then clicks, clicks_enriched,
    billable_clicks, budget_pacing, campaign_performance and channel_daily are
    cancelled.
    """
    df = run.read("marketing_bi.ad_clicks")
    if run.incremental:
        since = run.oldest_watermark(
            ("marketing_bi.clicks", "click_ts"),
            ("marketing_bi.clicks_enriched", "click_ts"),
            ("marketing_bi.billable_clicks", "click_ts"),
        )
        df = run.newer_than(df, "click_ts", since)
    checked = run.validate(
        df,
        ad_clicks_rules(),
        keep=(
            "click_id",
            "campaign_id",
            "user_id",
            "click_ts",
            "cost",
            "device",
            "user_agent",
        ),
        watermark="click_ts",
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def campaigns_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'campaigns' (pipeline.py:188)."""
    return (
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule("campaign_id", "like('cmp-%')", F.col("campaign_id").like("cmp-%")),
        Rule(
            "campaign_name",
            "not_empty",
            F.col("campaign_name").isNotNull() & (F.length(F.col("campaign_name")) > 0),
        ),
        Rule(
            "channel",
            "in(['search', 'social', 'display', 'email', 'video'])",
            F.col("channel").isin(["search", "social", "display", "email", "video"]),
        ),
        Rule("daily_budget", "gt(0)", F.col("daily_budget") > 0),
        Rule("start_date", "not_null", F.col("start_date").isNotNull()),
        Rule("end_date", "not_null", F.col("end_date").isNotNull()),
        Rule("end_date", "end_date >= start_date", F.expr("end_date >= start_date")),
    )


# pipeline.py:188
@step("bronze", "campaigns", table="marketing_bi.campaigns")
def bronze_campaigns(run: StepRun) -> DataFrame:
    """Reads marketing_bi.campaigns, or the input bound with --source
    campaigns=....

    Below 90% valid rows it fails; then campaign_dim, clicks_enriched,
    billable_clicks, budget_pacing, campaign_performance and channel_daily are
    cancelled.
    """
    df = run.read("marketing_bi.campaigns")
    checked = run.validate(
        df,
        campaigns_rules(),
        keep=(
            "campaign_id",
            "campaign_name",
            "channel",
            "daily_budget",
            "start_date",
            "end_date",
        ),
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def crm_conversions_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'crm_conversions' (pipeline.py:189)."""
    return (
        Rule("conversion_id", "not_null", F.col("conversion_id").isNotNull()),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("converted_at", "not_null", F.col("converted_at").isNotNull()),
        Rule(
            "revenue",
            "revenue > 0 AND revenue < 10000",
            F.expr("revenue > 0 AND revenue < 10000"),
        ),
    )


# pipeline.py:189
@step("bronze", "crm_conversions", table="marketing_bi.crm_conversions")
def bronze_crm_conversions(run: StepRun) -> DataFrame:
    """Reads marketing_bi.crm_conversions, or the input bound with --source
    crm_conversions=....

    Below 90% valid rows it fails; then conversions and campaign_performance are
    cancelled.
    """
    df = run.read("marketing_bi.crm_conversions")
    checked = run.validate(
        df,
        crm_conversions_rules(),
        keep=("conversion_id", "user_id", "converted_at", "revenue"),
    )
    run.gate(checked, min_rate=90.0)
    return checked.valid


def clicks_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clicks' (pipeline.py:190)."""
    return (
        Rule("click_id", "not_null", F.col("click_id").isNotNull()),
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("click_ts", "not_null", F.col("click_ts").isNotNull()),
        Rule("click_date", "not_null", F.col("click_date").isNotNull()),
        Rule("cost", "non_negative", F.col("cost") >= 0),
        Rule("is_bot", "is_bot IS NOT NULL", F.expr("is_bot IS NOT NULL")),
    )


# pipeline.py:190
@step(
    "silver",
    "clicks",
    table="marketing_bi.clicks",
    after=("ad_clicks",),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_clicks(run: StepRun) -> DataFrame:
    """ad_clicks -> marketing_bi.clicks: in incremental runs it appends the rows
    newer than its watermark (click_ts); otherwise it replaces the table.

    In incremental runs it is skipped when ad_clicks passed on no new rows.

    Below 95% valid rows it fails and writes nothing; then clicks_enriched,
    billable_clicks, budget_pacing, campaign_performance and channel_daily are
    cancelled.
    """
    since = (
        run.watermark("marketing_bi.clicks", "click_ts") if run.incremental else None
    )
    if since is not None and run.no_new_rows("ad_clicks"):
        return run.skip("no new rows in ad_clicks")
    ad_clicks = run.newer_than(run.output("ad_clicks"), "click_ts", since)
    priors = run.declared({}, argument="depends_on")
    df = clean_clicks(run.spark, ad_clicks, priors)
    checked = run.validate(
        df,
        clicks_rules(),
        keep=(
            "click_id",
            "campaign_id",
            "user_id",
            "click_ts",
            "click_date",
            "cost",
            "is_bot",
            "device",
        ),
        watermark="click_ts",
    )
    run.gate(checked, min_rate=95.0)
    run.publish(checked, covered=run.covered("ad_clicks", since))
    return checked.valid


def campaign_dim_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'campaign_dim' (pipeline.py:207)."""
    return (
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule(
            "campaign_name",
            "not_empty",
            F.col("campaign_name").isNotNull() & (F.length(F.col("campaign_name")) > 0),
        ),
        Rule(
            "channel",
            "in(['search', 'social', 'display', 'email', 'video'])",
            F.col("channel").isin(["search", "social", "display", "email", "video"]),
        ),
        Rule("daily_budget", "positive", F.col("daily_budget") > 0),
        Rule("start_date", "not_null", F.col("start_date").isNotNull()),
        Rule("end_date", "not_null", F.col("end_date").isNotNull()),
    )


# pipeline.py:207
@step(
    "silver",
    "campaign_dim",
    table="marketing_bi.campaign_dim",
    after=("campaigns",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_campaign_dim(run: StepRun) -> DataFrame:
    """campaigns -> marketing_bi.campaign_dim: recomputed and replaced in every
    run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 95% valid rows it fails and writes nothing; then clicks_enriched,
    billable_clicks, budget_pacing, campaign_performance and channel_daily are
    cancelled.
    """
    campaigns = run.output("campaigns")
    priors = run.declared({}, argument="depends_on")
    df = campaign_dim(run.spark, campaigns, priors)
    checked = run.validate(
        df,
        campaign_dim_rules(),
        keep=(
            "campaign_id",
            "campaign_name",
            "channel",
            "daily_budget",
            "start_date",
            "end_date",
        ),
    )
    run.gate(checked, min_rate=95.0)
    run.publish(checked)
    return checked.valid


def clicks_enriched_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'clicks_enriched' (pipeline.py:221)."""
    return (
        Rule("click_id", "not_null", F.col("click_id").isNotNull()),
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule(
            "channel",
            "not_empty",
            F.col("channel").isNotNull() & (F.length(F.col("channel")) > 0),
        ),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("click_ts", "not_null", F.col("click_ts").isNotNull()),
        Rule("click_date", "not_null", F.col("click_date").isNotNull()),
        Rule("in_flight", "in_flight IS NOT NULL", F.expr("in_flight IS NOT NULL")),
    )


# pipeline.py:221
@step(
    "silver",
    "clicks_enriched",
    table="marketing_bi.clicks_enriched",
    after=("ad_clicks", "clicks", "campaign_dim"),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_clicks_enriched(run: StepRun) -> DataFrame:
    """ad_clicks, clicks and campaign_dim -> marketing_bi.clicks_enriched: in
    incremental runs it appends the rows newer than its watermark (click_ts);
    otherwise it replaces the table.

    It is never skipped: campaign_dim replaces its table (or merges into it) in
    every run.

    Below 95% valid rows it fails and writes nothing; then billable_clicks,
    budget_pacing, campaign_performance and channel_daily are cancelled.
    """
    since = (
        run.watermark("marketing_bi.clicks_enriched", "click_ts")
        if run.incremental
        else None
    )
    ad_clicks = run.newer_than(run.output("ad_clicks"), "click_ts", since)
    priors = run.declared(
        {
            "clicks": run.rows_since(
                "clicks", "marketing_bi.clicks", "click_ts", since
            ),
            "campaign_dim": run.output("campaign_dim"),
        },
        argument="depends_on",
    )
    df = enrich_clicks(run.spark, ad_clicks, priors)
    checked = run.validate(
        df,
        clicks_enriched_rules(),
        keep=(
            "click_id",
            "campaign_id",
            "channel",
            "user_id",
            "click_ts",
            "click_date",
            "in_flight",
            "campaign_name",
            "cost",
            "is_bot",
        ),
        watermark="click_ts",
    )
    run.gate(checked, min_rate=95.0)
    run.publish(checked, covered=run.covered("ad_clicks", since))
    return checked.valid


def billable_clicks_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'billable_clicks' (pipeline.py:241)."""
    return (
        Rule("click_id", "not_null", F.col("click_id").isNotNull()),
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule(
            "channel",
            "in(['search', 'social', 'display', 'email', 'video'])",
            F.col("channel").isin(["search", "social", "display", "email", "video"]),
        ),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("click_ts", "not_null", F.col("click_ts").isNotNull()),
        Rule("click_date", "not_null", F.col("click_date").isNotNull()),
        Rule("cost_cents", "between(0, 5000)", F.col("cost_cents").between(0, 5000)),
    )


# pipeline.py:241
@step(
    "silver",
    "billable_clicks",
    table="marketing_bi.billable_clicks",
    after=("ad_clicks", "clicks_enriched"),
    initial="overwrite",
    incremental="append",
    full_refresh="overwrite",
)
def silver_billable_clicks(run: StepRun) -> DataFrame:
    """ad_clicks and clicks_enriched -> marketing_bi.billable_clicks: in
    incremental runs it appends the rows newer than its watermark (click_ts);
    otherwise it replaces the table.

    In incremental runs it is skipped when ad_clicks and clicks_enriched passed
    on no new rows.

    Below 95% valid rows it fails and writes nothing; then budget_pacing,
    campaign_performance and channel_daily are cancelled.
    """
    since = (
        run.watermark("marketing_bi.billable_clicks", "click_ts")
        if run.incremental
        else None
    )
    if since is not None and run.no_new_rows("ad_clicks", "clicks_enriched"):
        return run.skip("no new rows in ad_clicks and clicks_enriched")
    ad_clicks = run.newer_than(run.output("ad_clicks"), "click_ts", since)
    priors = run.declared(
        {
            "clicks_enriched": run.rows_since(
                "clicks_enriched", "marketing_bi.clicks_enriched", "click_ts", since
            )
        },
        argument="depends_on",
    )
    df = billable(run.spark, ad_clicks, priors)
    checked = run.validate(
        df,
        billable_clicks_rules(),
        keep=(
            "click_id",
            "campaign_id",
            "channel",
            "user_id",
            "click_ts",
            "click_date",
            "cost_cents",
        ),
        watermark="click_ts",
    )
    run.gate(checked, min_rate=95.0)
    run.publish(checked, covered=run.covered("ad_clicks", since))
    return checked.valid


def conversions_rules() -> tuple[Rule, ...]:
    """Rules of silver step 'conversions' (pipeline.py:258)."""
    return (
        Rule("conversion_id", "not_null", F.col("conversion_id").isNotNull()),
        Rule("user_id", "not_null", F.col("user_id").isNotNull()),
        Rule("converted_at", "not_null", F.col("converted_at").isNotNull()),
        Rule("revenue_cents", "positive", F.col("revenue_cents") > 0),
    )


# pipeline.py:258
@step(
    "silver",
    "conversions",
    table="marketing_bi.conversions",
    after=("crm_conversions",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_conversions(run: StepRun) -> DataFrame:
    """crm_conversions -> marketing_bi.conversions: recomputed and replaced in
    every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 95% valid rows it fails and writes nothing; then campaign_performance
    is cancelled.
    """
    crm_conversions = run.output("crm_conversions")
    priors = run.declared({}, argument="depends_on")
    df = clean_conversions(run.spark, crm_conversions, priors)
    checked = run.validate(
        df,
        conversions_rules(),
        keep=("conversion_id", "user_id", "converted_at", "revenue_cents"),
    )
    run.gate(checked, min_rate=95.0)
    run.publish(checked)
    return checked.valid


def channel_daily_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'channel_daily' (pipeline.py:270)."""
    return (
        Rule(
            "channel",
            "in(['search', 'social', 'display', 'email', 'video'])",
            F.col("channel").isin(["search", "social", "display", "email", "video"]),
        ),
        Rule("click_date", "not_null", F.col("click_date").isNotNull()),
        Rule("clicks", "gt(0)", F.col("clicks") > 0),
        Rule("spend_cents", "non_negative", F.col("spend_cents") >= 0),
        Rule("cpc", "cpc >= 0 AND cpc < 50", F.expr("cpc >= 0 AND cpc < 50")),
    )


# pipeline.py:270
@step(
    "gold",
    "channel_daily",
    table="marketing_bi.channel_daily",
    after=("billable_clicks",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
    refresh_by=("channel", "click_date"),
)
def gold_channel_daily(run: StepRun) -> DataFrame:
    """billable_clicks -> marketing_bi.channel_daily: recomputed from the whole
    silver tables and replaced in initial and full-refresh runs.

    In incremental runs it is skipped when neither billable_clicks nor its code
    changed since its last run; otherwise it recomputes only the groups (by
    channel and click_date) that the new rows of billable_clicks touch and
    merges them into the table, deleting groups that no longer produce a row.

    Below 99% valid rows it fails and writes nothing.
    """
    if run.inputs_unchanged("marketing_bi.billable_clicks", code="a947720eacdf"):
        return run.skip("billable_clicks did not change since its last run")
    groups = run.changed_groups("billable_clicks", "marketing_bi.billable_clicks")
    silvers = run.declared(
        {
            "billable_clicks": run.in_groups(
                run.whole("billable_clicks", "marketing_bi.billable_clicks"), groups
            )
        },
        argument="source_silvers",
    )
    df = channel_daily(run.spark, silvers)
    checked = run.validate(
        df,
        channel_daily_rules(),
        keep=("channel", "click_date", "clicks", "spend_cents", "cpc", "spend"),
    )
    run.gate(checked, min_rate=99.0)
    run.publish_groups(checked, groups)
    return checked.valid


def campaign_performance_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'campaign_performance' (pipeline.py:284)."""
    return (
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule("campaign_id", "like('cmp-%')", F.col("campaign_id").like("cmp-%")),
        Rule("channel", "not_null", F.col("channel").isNotNull()),
        Rule("clicks", "positive", F.col("clicks") > 0),
        Rule("spend_cents", "non_negative", F.col("spend_cents") >= 0),
        Rule("conversions", "non_negative", F.col("conversions") >= 0),
        Rule("revenue_cents", "non_negative", F.col("revenue_cents") >= 0),
        Rule("roas", "roas IS NULL OR roas >= 0", F.expr("roas IS NULL OR roas >= 0")),
    )


# pipeline.py:284
@step(
    "gold",
    "campaign_performance",
    table="marketing_bi.campaign_performance",
    after=("billable_clicks", "conversions"),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_campaign_performance(run: StepRun) -> DataFrame:
    """billable_clicks and conversions -> marketing_bi.campaign_performance:
    recomputed from the whole silver tables and replaced in every run.

    It is never skipped: conversions replaces its table (or merges into it) in
    every run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {
            "billable_clicks": run.whole(
                "billable_clicks", "marketing_bi.billable_clicks"
            ),
            "conversions": run.whole("conversions", "marketing_bi.conversions"),
        },
        argument="source_silvers",
    )
    df = campaign_performance(run.spark, silvers)
    checked = run.validate(
        df,
        campaign_performance_rules(),
        keep=(
            "campaign_id",
            "channel",
            "clicks",
            "spend_cents",
            "conversions",
            "revenue_cents",
            "roas",
            "spend",
            "revenue",
        ),
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


def budget_pacing_rules() -> tuple[Rule, ...]:
    """Rules of gold step 'budget_pacing' (pipeline.py:301)."""
    return (
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule("click_date", "not_null", F.col("click_date").isNotNull()),
        Rule("spend_cents", "non_negative", F.col("spend_cents") >= 0),
        Rule("daily_budget", "positive", F.col("daily_budget") > 0),
        Rule("budget_used_pct", "gte(0)", F.col("budget_used_pct") >= 0),
        Rule(
            "status",
            "in(['under', 'on_track', 'over'])",
            F.col("status").isin(["under", "on_track", "over"]),
        ),
    )


# pipeline.py:301
@step(
    "gold",
    "budget_pacing",
    table="marketing_bi.budget_pacing",
    after=("billable_clicks", "campaign_dim"),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def gold_budget_pacing(run: StepRun) -> DataFrame:
    """billable_clicks and campaign_dim -> marketing_bi.budget_pacing: recomputed
    from the whole silver tables and replaced in every run.

    It is never skipped: campaign_dim replaces its table (or merges into it) in
    every run.

    Below 99% valid rows it fails and writes nothing.
    """
    silvers = run.declared(
        {
            "billable_clicks": run.whole(
                "billable_clicks", "marketing_bi.billable_clicks"
            ),
            "campaign_dim": run.whole("campaign_dim", "marketing_bi.campaign_dim"),
        },
        argument="source_silvers",
    )
    df = budget_pacing(run.spark, silvers)
    checked = run.validate(
        df,
        budget_pacing_rules(),
        keep=(
            "campaign_id",
            "click_date",
            "spend_cents",
            "daily_budget",
            "budget_used_pct",
            "status",
        ),
    )
    run.gate(checked, min_rate=99.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="marketing_bi",
    log_table="marketing_bi.pipeline_logs",
    table_format="delta",
    source="pipeline.py",
    source_hash="56aa4d64eb6a0841139c817b511dcd6112a503c197fed59e7858609becc700b0",
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
            (
                bronze_ad_clicks,
                bronze_campaigns,
                bronze_crm_conversions,
            ),  # stage 1: side by side
            (
                silver_campaign_dim,
                silver_clicks,
                silver_conversions,
            ),  # stage 2: side by side
            (silver_clicks_enriched,),  # stage 3
            (silver_billable_clicks,),  # stage 4
            (
                gold_budget_pacing,
                gold_campaign_performance,
                gold_channel_daily,
            ),  # stage 5: side by side
        ),
        parallel=True,
        max_workers=2,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
