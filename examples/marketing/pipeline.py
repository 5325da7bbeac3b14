"""Marketing BI: ad clicks, campaigns and CRM conversions -> a chain of silver steps -> BI tables.

Silver is a `depends_on` chain: `clicks` (cleaned) -> `clicks_enriched` (campaign attributes) ->
`billable_clicks` (bots and out-of-flight clicks removed, cost in cents). All three append only the
new clicks in an incremental run (they read the click bronze, incremental on `click_ts`); the
campaign and conversion exports are re-sent whole and overwritten. Money is kept in integer cents
in silver so the gold sums are exact. Gold: spend per channel and day, last-click attribution with
ROAS per campaign (a window function), and budget pacing per campaign and day.

Rules mix shorthand, operator lists (`in`, `like`, `between`, `gt`) and SQL strings.
Compile it with `sparkforge compile examples/marketing/pipeline.py -o examples/marketing/job.py`.
"""

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

SCHEMA = "marketing_bi"
CHANNELS = ["search", "social", "display", "email", "video"]
DEVICES = ["desktop", "mobile", "tablet"]
ATTRIBUTION_DAYS = 7
PACING_STATUSES = ["under", "on_track", "over"]

CLICK_RULES = {
    "click_id": ["not_null"],
    "campaign_id": ["not_null", ["like", "cmp-%"]],
    "user_id": ["not_null"],
    "click_ts": ["not_null"],
    "cost": ["cost >= 0 AND cost < 50"],
    "device": [["in", DEVICES]],
    "user_agent": [],
}
CAMPAIGN_RULES = {
    "campaign_id": ["not_null", ["like", "cmp-%"]],
    "campaign_name": ["not_empty"],
    "channel": [["in", CHANNELS]],
    "daily_budget": [["gt", 0]],
    "start_date": ["not_null"],
    "end_date": ["not_null", "end_date >= start_date"],
}
CONVERSION_RULES = {
    "conversion_id": ["not_null"],
    "user_id": ["not_null"],
    "converted_at": ["not_null"],
    "revenue": ["revenue > 0 AND revenue < 10000"],
}


def clean_clicks(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """Clicks with their day and a bot flag from the user agent."""
    return (
        bronze_df.withColumn("click_date", F.to_date("click_ts"))
        .withColumn("is_bot", F.lower("user_agent").rlike("bot|crawler|spider"))
        .drop("user_agent")
    )


def campaign_dim(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """The campaign dimension, one row per campaign."""
    return bronze_df.withColumn("campaign_name", F.trim("campaign_name")).dropDuplicates(
        ["campaign_id"]
    )


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


def clean_conversions(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    """One row per conversion, revenue in cents."""
    return (
        bronze_df.dropDuplicates(["conversion_id"])
        .withColumn("revenue_cents", F.round(F.col("revenue") * 100).cast("long"))
        .drop("revenue")
    )


def channel_daily(spark: SparkSession, silvers: dict) -> DataFrame:
    """Billable clicks, spend and cost per click by channel and day."""
    return (
        silvers["billable_clicks"]
        .groupBy("channel", "click_date")
        .agg(F.count("*").alias("clicks"), F.sum("cost_cents").alias("spend_cents"))
        .withColumn("spend", F.col("spend_cents") / 100)
        .withColumn("cpc", F.round(F.col("spend_cents") / F.col("clicks") / 100, 4))
    )


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


def build(spark: SparkSession) -> PipelineBuilder:
    """The marketing pipeline; tables go to the `marketing_bi` schema."""
    builder = PipelineBuilder.for_production(
        spark=spark,
        schema=SCHEMA,
        min_bronze_rate=90.0,
        min_silver_rate=95.0,
        max_parallel_workers=2,
        verbose=True,
        pipeline_name="marketing_bi",
    )
    builder.with_bronze_rules(name="ad_clicks", rules=CLICK_RULES, incremental_col="click_ts")
    builder.with_bronze_rules(name="campaigns", rules=CAMPAIGN_RULES)
    builder.with_bronze_rules(name="crm_conversions", rules=CONVERSION_RULES)
    builder.add_silver_transform(
        name="clicks",
        source_bronze="ad_clicks",
        transform=clean_clicks,
        rules={
            "click_id": ["not_null"],
            "campaign_id": ["not_null"],
            "user_id": ["not_null"],
            "click_ts": ["not_null"],
            "click_date": ["not_null"],
            "cost": ["non_negative"],
            "device": [],
            "is_bot": ["is_bot IS NOT NULL"],
        },
        table_name="clicks",
        watermark_col="click_ts",
    )
    builder.add_silver_transform(
        name="campaign_dim",
        source_bronze="campaigns",
        transform=campaign_dim,
        rules={
            "campaign_id": ["not_null"],
            "campaign_name": ["not_empty"],
            "channel": [["in", CHANNELS]],
            "daily_budget": ["positive"],
            "start_date": ["not_null"],
            "end_date": ["not_null"],
        },
        table_name="campaign_dim",
    )
    builder.add_silver_transform(
        name="clicks_enriched",
        source_bronze="ad_clicks",
        depends_on=["clicks", "campaign_dim"],
        transform=enrich_clicks,
        rules={
            "click_id": ["not_null"],
            "campaign_id": ["not_null"],
            "campaign_name": [],
            "channel": ["not_empty"],
            "user_id": ["not_null"],
            "click_ts": ["not_null"],
            "click_date": ["not_null"],
            "cost": [],
            "is_bot": [],
            "in_flight": ["in_flight IS NOT NULL"],
        },
        table_name="clicks_enriched",
        watermark_col="click_ts",
    )
    builder.add_silver_transform(
        name="billable_clicks",
        source_bronze="ad_clicks",
        depends_on=["clicks_enriched"],
        transform=billable,
        rules={
            "click_id": ["not_null"],
            "campaign_id": ["not_null"],
            "channel": [["in", CHANNELS]],
            "user_id": ["not_null"],
            "click_ts": ["not_null"],
            "click_date": ["not_null"],
            "cost_cents": [["between", 0, 5000]],
        },
        table_name="billable_clicks",
        watermark_col="click_ts",
    )
    builder.add_silver_transform(
        name="conversions",
        source_bronze="crm_conversions",
        transform=clean_conversions,
        rules={
            "conversion_id": ["not_null"],
            "user_id": ["not_null"],
            "converted_at": ["not_null"],
            "revenue_cents": ["positive"],
        },
        table_name="conversions",
    )
    builder.add_gold_transform(
        name="channel_daily",
        source_silvers=["billable_clicks"],
        transform=channel_daily,
        rules={
            "channel": [["in", CHANNELS]],
            "click_date": ["not_null"],
            "clicks": [["gt", 0]],
            "spend_cents": ["non_negative"],
            "spend": [],
            "cpc": ["cpc >= 0 AND cpc < 50"],
        },
        table_name="channel_daily",
    )
    builder.add_gold_transform(
        name="campaign_performance",
        source_silvers=["billable_clicks", "conversions"],
        transform=campaign_performance,
        rules={
            "campaign_id": ["not_null", ["like", "cmp-%"]],
            "channel": ["not_null"],
            "clicks": ["positive"],
            "spend_cents": ["non_negative"],
            "spend": [],
            "conversions": ["non_negative"],
            "revenue_cents": ["non_negative"],
            "revenue": [],
            "roas": ["roas IS NULL OR roas >= 0"],
        },
        table_name="campaign_performance",
    )
    builder.add_gold_transform(
        name="budget_pacing",
        source_silvers=["billable_clicks", "campaign_dim"],
        transform=budget_pacing,
        rules={
            "campaign_id": ["not_null"],
            "click_date": ["not_null"],
            "spend_cents": ["non_negative"],
            "daily_budget": ["positive"],
            "budget_used_pct": [["gte", 0]],
            "status": [["in", PACING_STATUSES]],
        },
        table_name="budget_pacing",
    )
    return builder
