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

from sparkforge_runtime.job import JobDefinition, PlannedStep, run_job
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.specs import StepSpec

# pipeline.py:14
from pyspark.sql import DataFrame, SparkSession, Window

# pipeline.py:15
from pyspark.sql import functions as F

# pipeline.py:21
ATTRIBUTION_DAYS = 7


# pipeline.py:49
def clean_clicks(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """Clicks with their day and a bot flag from the user agent."""
    return (
        bronze_df.withColumn("click_date", F.to_date("click_ts"))
        .withColumn("is_bot", F.lower("user_agent").rlike("bot|crawler|spider"))
        .drop("user_agent")
    )


# pipeline.py:58
def campaign_dim(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """The campaign dimension, one row per campaign."""
    return bronze_df.withColumn("campaign_name", F.trim("campaign_name")).dropDuplicates(
        ["campaign_id"]
    )


# pipeline.py:65
def enrich_clicks(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
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
                F.col("click_date").between(F.col("start_date"), F.col("end_date")), F.lit(False)
            ),
        )
    )


# pipeline.py:83
def billable(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """Clicks the advertiser pays for: no bots, inside the campaign's flight; cost in cents."""
    return (
        prior_silvers["clicks_enriched"]
        .filter(~F.col("is_bot") & F.col("in_flight"))
        .withColumn("cost_cents", F.round(F.col("cost") * 100).cast("long"))
        .select(
            "click_id", "campaign_id", "channel", "user_id", "click_ts", "click_date", "cost_cents"
        )
    )


# pipeline.py:95
def clean_conversions(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
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
    ATTRIBUTION_DAYS before it; then clicks, spend, conversions, revenue and ROAS per campaign."""
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
        .select("c.conversion_id", "c.revenue_cents", "k.click_id", "k.click_ts", "k.campaign_id")
        .withColumn("rank", F.row_number().over(latest_first))
        .filter(F.col("rank") == 1)
        .groupBy("campaign_id")
        .agg(F.count("*").alias("conversions"), F.sum("revenue_cents").alias("revenue_cents"))
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
                F.col("spend_cents") > 0, F.round(F.col("revenue_cents") / F.col("spend_cents"), 4)
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


def bronze_ad_clicks() -> StepSpec:
    """Bronze step 'ad_clicks' (pipeline.py:187): reads marketing_bi.ad_clicks unless --source binds it."""
    return StepSpec(
        name="ad_clicks",
        layer="bronze",
        threshold=90.0,
        table="marketing_bi.ad_clicks",
        incremental_col="click_ts",
        keep_columns=(
            "click_id",
            "campaign_id",
            "user_id",
            "click_ts",
            "cost",
            "device",
            "user_agent",
        ),
        rules=(
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
        ),
    )


def bronze_campaigns() -> StepSpec:
    """Bronze step 'campaigns' (pipeline.py:188): reads marketing_bi.campaigns unless --source binds it."""
    return StepSpec(
        name="campaigns",
        layer="bronze",
        threshold=90.0,
        table="marketing_bi.campaigns",
        keep_columns=(
            "campaign_id",
            "campaign_name",
            "channel",
            "daily_budget",
            "start_date",
            "end_date",
        ),
        rules=(
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
        ),
    )


def bronze_crm_conversions() -> StepSpec:
    """Bronze step 'crm_conversions' (pipeline.py:189): reads marketing_bi.crm_conversions unless --source binds it."""
    return StepSpec(
        name="crm_conversions",
        layer="bronze",
        threshold=90.0,
        table="marketing_bi.crm_conversions",
        keep_columns=("conversion_id", "user_id", "converted_at", "revenue"),
        rules=(
            Rule("conversion_id", "not_null", F.col("conversion_id").isNotNull()),
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("converted_at", "not_null", F.col("converted_at").isNotNull()),
            Rule(
                "revenue",
                "revenue > 0 AND revenue < 10000",
                F.expr("revenue > 0 AND revenue < 10000"),
            ),
        ),
    )


def silver_clicks() -> StepSpec:
    """Silver step 'clicks' (pipeline.py:190): writes marketing_bi.clicks."""
    return StepSpec(
        name="clicks",
        layer="silver",
        threshold=95.0,
        table="marketing_bi.clicks",
        source_bronze="ad_clicks",
        watermark_col="click_ts",
        keep_columns=(
            "click_id",
            "campaign_id",
            "user_id",
            "click_ts",
            "click_date",
            "cost",
            "is_bot",
            "device",
        ),
        transform=clean_clicks,
        rules=(
            Rule("click_id", "not_null", F.col("click_id").isNotNull()),
            Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("click_ts", "not_null", F.col("click_ts").isNotNull()),
            Rule("click_date", "not_null", F.col("click_date").isNotNull()),
            Rule("cost", "non_negative", F.col("cost") >= 0),
            Rule("is_bot", "is_bot IS NOT NULL", F.expr("is_bot IS NOT NULL")),
        ),
    )


def silver_campaign_dim() -> StepSpec:
    """Silver step 'campaign_dim' (pipeline.py:207): writes marketing_bi.campaign_dim."""
    return StepSpec(
        name="campaign_dim",
        layer="silver",
        threshold=95.0,
        table="marketing_bi.campaign_dim",
        source_bronze="campaigns",
        keep_columns=(
            "campaign_id",
            "campaign_name",
            "channel",
            "daily_budget",
            "start_date",
            "end_date",
        ),
        transform=campaign_dim,
        rules=(
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
        ),
    )


def silver_clicks_enriched() -> StepSpec:
    """Silver step 'clicks_enriched' (pipeline.py:221): writes marketing_bi.clicks_enriched."""
    return StepSpec(
        name="clicks_enriched",
        layer="silver",
        threshold=95.0,
        table="marketing_bi.clicks_enriched",
        source_bronze="ad_clicks",
        depends_on=("clicks", "campaign_dim"),
        watermark_col="click_ts",
        keep_columns=(
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
        transform=enrich_clicks,
        rules=(
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
        ),
    )


def silver_billable_clicks() -> StepSpec:
    """Silver step 'billable_clicks' (pipeline.py:241): writes marketing_bi.billable_clicks."""
    return StepSpec(
        name="billable_clicks",
        layer="silver",
        threshold=95.0,
        table="marketing_bi.billable_clicks",
        source_bronze="ad_clicks",
        depends_on=("clicks_enriched",),
        watermark_col="click_ts",
        keep_columns=(
            "click_id",
            "campaign_id",
            "channel",
            "user_id",
            "click_ts",
            "click_date",
            "cost_cents",
        ),
        transform=billable,
        rules=(
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
        ),
    )


def silver_conversions() -> StepSpec:
    """Silver step 'conversions' (pipeline.py:258): writes marketing_bi.conversions."""
    return StepSpec(
        name="conversions",
        layer="silver",
        threshold=95.0,
        table="marketing_bi.conversions",
        source_bronze="crm_conversions",
        keep_columns=("conversion_id", "user_id", "converted_at", "revenue_cents"),
        transform=clean_conversions,
        rules=(
            Rule("conversion_id", "not_null", F.col("conversion_id").isNotNull()),
            Rule("user_id", "not_null", F.col("user_id").isNotNull()),
            Rule("converted_at", "not_null", F.col("converted_at").isNotNull()),
            Rule("revenue_cents", "positive", F.col("revenue_cents") > 0),
        ),
    )


def gold_channel_daily() -> StepSpec:
    """Gold step 'channel_daily' (pipeline.py:270): writes marketing_bi.channel_daily."""
    return StepSpec(
        name="channel_daily",
        layer="gold",
        threshold=99.0,
        table="marketing_bi.channel_daily",
        source_silvers=("billable_clicks",),
        keep_columns=("channel", "click_date", "clicks", "spend_cents", "cpc", "spend"),
        transform=channel_daily,
        rules=(
            Rule(
                "channel",
                "in(['search', 'social', 'display', 'email', 'video'])",
                F.col("channel").isin(["search", "social", "display", "email", "video"]),
            ),
            Rule("click_date", "not_null", F.col("click_date").isNotNull()),
            Rule("clicks", "gt(0)", F.col("clicks") > 0),
            Rule("spend_cents", "non_negative", F.col("spend_cents") >= 0),
            Rule("cpc", "cpc >= 0 AND cpc < 50", F.expr("cpc >= 0 AND cpc < 50")),
        ),
    )


def gold_campaign_performance() -> StepSpec:
    """Gold step 'campaign_performance' (pipeline.py:284): writes marketing_bi.campaign_performance."""
    return StepSpec(
        name="campaign_performance",
        layer="gold",
        threshold=99.0,
        table="marketing_bi.campaign_performance",
        source_silvers=("billable_clicks", "conversions"),
        keep_columns=(
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
        transform=campaign_performance,
        rules=(
            Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
            Rule("campaign_id", "like('cmp-%')", F.col("campaign_id").like("cmp-%")),
            Rule("channel", "not_null", F.col("channel").isNotNull()),
            Rule("clicks", "positive", F.col("clicks") > 0),
            Rule("spend_cents", "non_negative", F.col("spend_cents") >= 0),
            Rule("conversions", "non_negative", F.col("conversions") >= 0),
            Rule("revenue_cents", "non_negative", F.col("revenue_cents") >= 0),
            Rule("roas", "roas IS NULL OR roas >= 0", F.expr("roas IS NULL OR roas >= 0")),
        ),
    )


def gold_budget_pacing() -> StepSpec:
    """Gold step 'budget_pacing' (pipeline.py:301): writes marketing_bi.budget_pacing."""
    return StepSpec(
        name="budget_pacing",
        layer="gold",
        threshold=99.0,
        table="marketing_bi.budget_pacing",
        source_silvers=("billable_clicks", "campaign_dim"),
        keep_columns=(
            "campaign_id",
            "click_date",
            "spend_cents",
            "daily_budget",
            "budget_used_pct",
            "status",
        ),
        transform=budget_pacing,
        rules=(
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
        ),
    )


JOB = JobDefinition(
    pipeline_name="marketing_bi",
    source_file="pipeline.py",
    source_hash="56aa4d64eb6a0841139c817b511dcd6112a503c197fed59e7858609becc700b0",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
    parallel=True,
    max_workers=2,
    unified=False,
    log_table="marketing_bi.pipeline_logs",
    steps=(
        PlannedStep(1, "ad_clicks", "bronze", "marketing_bi.ad_clicks", incremental=True),
        PlannedStep(1, "campaigns", "bronze", "marketing_bi.campaigns"),
        PlannedStep(1, "crm_conversions", "bronze", "marketing_bi.crm_conversions"),
        PlannedStep(
            2, "campaign_dim", "silver", "marketing_bi.campaign_dim", upstream=("campaigns",)
        ),
        PlannedStep(
            2, "clicks", "silver", "marketing_bi.clicks", upstream=("ad_clicks",), incremental=True
        ),
        PlannedStep(
            2, "conversions", "silver", "marketing_bi.conversions", upstream=("crm_conversions",)
        ),
        PlannedStep(
            3,
            "clicks_enriched",
            "silver",
            "marketing_bi.clicks_enriched",
            upstream=("ad_clicks", "clicks", "campaign_dim"),
            incremental=True,
        ),
        PlannedStep(
            4,
            "billable_clicks",
            "silver",
            "marketing_bi.billable_clicks",
            upstream=("ad_clicks", "clicks_enriched"),
            incremental=True,
        ),
        PlannedStep(
            5,
            "budget_pacing",
            "gold",
            "marketing_bi.budget_pacing",
            upstream=("billable_clicks", "campaign_dim"),
        ),
        PlannedStep(
            5,
            "campaign_performance",
            "gold",
            "marketing_bi.campaign_performance",
            upstream=("billable_clicks", "conversions"),
        ),
        PlannedStep(
            5, "channel_daily", "gold", "marketing_bi.channel_daily", upstream=("billable_clicks",)
        ),
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options. Returns the exit code."""
    stages = (
        (bronze_ad_clicks, bronze_campaigns, bronze_crm_conversions),  # stage 1, parallel
        (silver_campaign_dim, silver_clicks, silver_conversions),  # stage 2, parallel
        (silver_clicks_enriched,),  # stage 3
        (silver_billable_clicks,),  # stage 4
        (gold_budget_pacing, gold_campaign_performance, gold_channel_daily),  # stage 5, parallel
    )
    return run_job(JOB, stages, argv)


if __name__ == "__main__":
    sys.exit(main())
