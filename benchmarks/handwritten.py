"""The reference pipeline written by hand in plain PySpark: the floor (c) and the common validation (d).

Input: `--variant floor|counts|startup` and `--source events=csv:PATH` (or `parquet:PATH`), run with
`spark-submit` (the Spark settings come from the command line). Output: the same five Delta tables as
the sparkforge pipeline, and one JSON line on stdout with the row counts.

- `floor` (c): read, transform, write; no validation at all. The transforms are the reference
  pipeline's own functions, so the work per step is identical.
- `counts` (d): validation the way it is commonly hand-written: for every step, `count()` the rows
  that pass the checks, `count()` the rows that fail, compare the rate with the threshold, then
  write the valid rows. The checks are the reference pipeline's rules, written out as SQL.

    spark-submit ... benchmarks/handwritten.py --variant counts --source events=csv:/data/base/csv
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import reference_pipeline as ref

SCHEMA = ref.SCHEMA
THRESHOLDS = {"bronze": 95.0, "silver": 98.0, "gold": 99.0}
# The reference rules as one SQL condition per step, the way a data engineer writes them inline.
CHECKS = {
    "events": "event_id IS NOT NULL AND user_id IS NOT NULL AND product_id BETWEEN 0 AND 999 "
    "AND event_type IN ('view', 'cart', 'purchase', 'refund') AND amount > 0 "
    "AND amount < 1000000 AND quantity > 0 AND country IS NOT NULL AND length(country) > 0 "
    "AND event_ts IS NOT NULL",
    "clean_events": "event_id IS NOT NULL AND user_id IS NOT NULL AND product_id >= 0 "
    "AND event_type != 'refund' AND revenue > 0 AND revenue < 5000000 AND length(country) = 2 "
    "AND event_date IS NOT NULL AND event_ts IS NOT NULL",
    "user_sessions": "user_id IS NOT NULL AND event_id IS NOT NULL AND event_ts IS NOT NULL "
    "AND (gap_secs IS NULL OR gap_secs >= 0) AND session_no >= 1",
    "purchases_enriched": "event_id IS NOT NULL AND user_id IS NOT NULL AND category IS NOT NULL "
    "AND length(category) > 0 AND revenue > 0 AND list_price > 0 "
    "AND price_ratio BETWEEN 0.0001 AND 1000 AND event_date IS NOT NULL AND event_ts IS NOT NULL",
    "daily_category_revenue": "event_date IS NOT NULL AND category IS NOT NULL "
    "AND length(category) > 0 AND revenue > 0 AND purchases > 0",
    "user_activity": "user_id IS NOT NULL AND events > 0 AND sessions >= 1 AND sessions <= events",
}


def read_events(spark: SparkSession, source: str) -> DataFrame:
    """`csv:PATH` or `parquet:PATH`, read with the options sparkforge uses for path sources."""
    fmt, _, path = source.partition(":")
    reader = spark.read.format(fmt)
    if fmt == "csv":
        reader = reader.option("header", "true").option("inferSchema", "true")
    return reader.load(path)


def write(df: DataFrame, table: str) -> None:
    df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").saveAsTable(
        f"{SCHEMA}.{table}"
    )


def run_floor(spark: SparkSession, source: str) -> dict[str, int]:
    """(c): the pipeline with no validation; each silver step reads the input through its plan."""
    events = read_events(spark, source)
    clean = ref.clean_events(spark, events, {})
    write(clean, "clean_events")
    write(ref.user_sessions(spark, events, {}), "user_sessions")
    write(ref.purchases_enriched(spark, events, {"clean_events": clean}), "purchases_enriched")
    table = spark.table
    silvers = {"purchases_enriched": table(f"{SCHEMA}.purchases_enriched")}
    write(ref.daily_category_revenue(spark, silvers), "daily_category_revenue")
    write(
        ref.user_activity(spark, {"user_sessions": table(f"{SCHEMA}.user_sessions")}),
        "user_activity",
    )
    return {}


def run_startup(spark: SparkSession, source: str) -> dict[str, int]:
    """(z): no pipeline at all: the session, the schema and one one-row Delta table. What every
    implementation pays before and around its data work (JVM, Delta, metastore, first commit)."""
    write(spark.range(1), "startup")
    return {}


def checked(df: DataFrame, step: str, layer: str, counts: dict[str, int]) -> DataFrame:
    """Count valid and invalid rows (two jobs), stop below the threshold, return the valid rows."""
    ok = F.coalesce(F.expr(CHECKS[step]), F.lit(False))
    valid_rows = df.filter(ok)
    valid = valid_rows.count()
    invalid = df.filter(~ok).count()
    counts[step] = valid
    total = valid + invalid
    rate = 100.0 if total == 0 else valid * 100.0 / total
    if rate < THRESHOLDS[layer]:
        raise SystemExit(f"{step}: {rate:.2f}% valid, below {THRESHOLDS[layer]}%")
    return valid_rows


def run_counts(spark: SparkSession, source: str) -> dict[str, int]:
    """(d): count valid, count invalid, then write, for every step."""
    counts: dict[str, int] = {}
    events = checked(read_events(spark, source), "events", "bronze", counts)

    def silver(
        step: str, transform: Callable[..., DataFrame], priors: dict[str, DataFrame]
    ) -> DataFrame:
        valid = checked(transform(spark, events, priors), step, "silver", counts)
        write(valid, step)
        return valid

    clean = silver("clean_events", ref.clean_events, {})
    silver("user_sessions", ref.user_sessions, {})
    silver("purchases_enriched", ref.purchases_enriched, {"clean_events": clean})
    for step, transform, source_silver in (
        ("daily_category_revenue", ref.daily_category_revenue, "purchases_enriched"),
        ("user_activity", ref.user_activity, "user_sessions"),
    ):
        whole = {source_silver: spark.table(f"{SCHEMA}.{source_silver}")}
        write(checked(transform(spark, whole), step, "gold", counts), step)
    return counts


VARIANTS: dict[str, Callable[[SparkSession, str], dict[str, int]]] = {
    "floor": run_floor,
    "counts": run_counts,
    "startup": run_startup,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=tuple(VARIANTS), required=True)
    parser.add_argument("--source", required=True, help="events=csv:PATH or events=parquet:PATH")
    args = parser.parse_args()
    source = args.source.partition("=")[2] or args.source
    spark = SparkSession.builder.appName(f"bench-{args.variant}").enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    counts = VARIANTS[args.variant](spark, source)
    print(json.dumps({"variant": args.variant, "valid_rows": counts}), flush=True)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
