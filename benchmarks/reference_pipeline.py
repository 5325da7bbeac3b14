r"""The benchmark's reference pipeline: click-stream events -> three silver tables -> two gold aggregates.

Input: one bronze source `events` (the CSV or Parquet written by `benchmarks.data`). Output: Delta tables
`bench.clean_events`, `bench.user_sessions`, `bench.purchases_enriched`, `bench.daily_category_revenue`,
`bench.user_activity` and the run log `bench.pipeline_logs`.

    events --> clean_events ----------> purchases_enriched --> daily_category_revenue
           \-> user_sessions (window) ------------------------> user_activity

`purchases_enriched` depends on `clean_events` and joins a product dimension; `user_sessions` numbers
each user's sessions with window functions. Every step has rules, some of them SQL strings. It is
written in plain builder style, so `sparkforge compile benchmarks/reference_pipeline.py -o job.py`
compiles it, and `build(spark).to_pipeline()` runs it interpreted. The hand-written variants in
`benchmarks.handwritten` call the same transform functions.
"""

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

SCHEMA = "bench"
PARALLEL = True
QUARANTINE = False  # benchmarks.quality compiles a copy with True: every step keeps its invalid rows
SESSION_GAP_SECS = 1800
PRODUCTS = 1000
EVENT_TYPES = ["view", "cart", "purchase", "refund"]
CATEGORIES = ["books", "games", "garden", "kitchen", "music", "outdoor", "sports", "toys"]

EVENT_RULES = {
    "event_id": ["not_null"],
    "user_id": ["not_null"],
    "product_id": [["between", 0, PRODUCTS - 1]],
    "event_type": [["in", EVENT_TYPES]],
    "amount": ["amount > 0 AND amount < 1000000"],
    "quantity": ["positive"],
    "country": ["not_empty"],
    "event_ts": ["not_null"],
}
CLEAN_RULES = {
    "event_id": ["not_null"],
    "user_id": ["not_null"],
    "product_id": ["non_negative"],
    "event_type": [["ne", "refund"]],
    "revenue": ["revenue > 0 AND revenue < 5000000"],
    "country": ["length(country) = 2"],
    "event_date": ["not_null"],
    "event_ts": ["not_null"],
}
SESSION_RULES = {
    "user_id": ["not_null"],
    "event_id": ["not_null"],
    "event_ts": ["not_null"],
    "gap_secs": ["gap_secs IS NULL OR gap_secs >= 0"],
    "session_no": [["gte", 1]],
}
ENRICHED_RULES = {
    "event_id": ["not_null"],
    "user_id": ["not_null"],
    "category": ["not_empty"],
    "revenue": ["positive"],
    "list_price": ["list_price > 0"],
    "price_ratio": ["price_ratio BETWEEN 0.0001 AND 1000"],
    "event_date": ["not_null"],
    "event_ts": ["not_null"],
}
DAILY_RULES = {
    "event_date": ["not_null"],
    "category": ["not_empty"],
    "revenue": ["positive"],
    "purchases": ["purchases > 0"],
}
ACTIVITY_RULES = {
    "user_id": ["not_null"],
    "events": ["positive"],
    "sessions": ["sessions >= 1 AND sessions <= events"],
}


def clean_events(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(F.col("event_type") != "refund").select(
        "event_id",
        "user_id",
        "product_id",
        "event_type",
        F.round(F.col("amount") * F.col("quantity"), 2).alias("revenue"),
        F.upper(F.col("country")).alias("country"),
        F.to_date("event_ts").alias("event_date"),
        "event_ts",
    )


def user_sessions(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    by_user = Window.partitionBy("user_id").orderBy("event_ts", "event_id")
    gap = F.col("event_ts").cast("long") - F.lag(F.col("event_ts").cast("long")).over(by_user)
    starts = F.when(F.col("gap_secs").isNull() | (F.col("gap_secs") > SESSION_GAP_SECS), 1)
    return (
        bronze_df.select("user_id", "event_id", "event_ts")
        .withColumn("gap_secs", gap)
        .withColumn("session_no", F.sum(starts.otherwise(0)).over(by_user))
    )


def purchases_enriched(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    products = spark.range(PRODUCTS).select(
        F.col("id").cast("int").alias("product_id"),
        F.element_at(
            F.array(*[F.lit(c) for c in CATEGORIES]), F.col("id").cast("int") % 8 + 1
        ).alias("category"),
        F.round(F.col("id") % 500 + 9.99, 2).alias("list_price"),
    )
    purchases = prior_silvers["clean_events"].filter(F.col("event_type") == "purchase")
    return purchases.join(F.broadcast(products), "product_id").select(
        "event_id",
        "user_id",
        "category",
        "revenue",
        "list_price",
        F.round(F.col("revenue") / F.col("list_price"), 4).alias("price_ratio"),
        "event_date",
        "event_ts",
    )


def daily_category_revenue(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["purchases_enriched"]
        .groupBy("event_date", "category")
        .agg(F.round(F.sum("revenue"), 2).alias("revenue"), F.count("*").alias("purchases"))
    )


def user_activity(spark: SparkSession, silvers: dict) -> DataFrame:
    return (
        silvers["user_sessions"]
        .groupBy("user_id")
        .agg(F.count("*").alias("events"), F.max("session_no").alias("sessions"))
    )


def build(spark: SparkSession) -> PipelineBuilder:
    return (
        PipelineBuilder(
            spark=spark,
            schema=SCHEMA,
            min_bronze_rate=95.0,
            min_silver_rate=98.0,
            min_gold_rate=99.0,
            enable_parallel_silver=PARALLEL,
            max_parallel_workers=4,
            verbose=False,
            pipeline_name="bench_reference",
            quarantine=QUARANTINE,
        )
        # Each step starts as soon as its own inputs are written, not when its whole stage may.
        .enable_unified_execution(max_workers=4, enable_parallel_execution=PARALLEL)
        .with_bronze_rules(name="events", rules=EVENT_RULES, incremental_col="event_ts")
        .add_silver_transform(
            name="clean_events",
            source_bronze="events",
            transform=clean_events,
            rules=CLEAN_RULES,
            table_name="clean_events",
            watermark_col="event_ts",
        )
        .add_silver_transform(
            name="user_sessions",
            source_bronze="events",
            transform=user_sessions,
            rules=SESSION_RULES,
            table_name="user_sessions",
            watermark_col="event_ts",
        )
        .add_silver_transform(
            name="purchases_enriched",
            source_bronze="events",
            depends_on=["clean_events"],
            transform=purchases_enriched,
            rules=ENRICHED_RULES,
            table_name="purchases_enriched",
            watermark_col="event_ts",
        )
        .add_gold_transform(
            name="daily_category_revenue",
            source_silvers=["purchases_enriched"],
            transform=daily_category_revenue,
            rules=DAILY_RULES,
            table_name="daily_category_revenue",
        )
        .add_gold_transform(
            name="user_activity",
            source_silvers=["user_sessions"],
            transform=user_activity,
            rules=ACTIVITY_RULES,
            table_name="user_activity",
        )
    )
