"""Incremental runs that cost what changed, on the ecommerce example (interpreted runner).

After an initial load, an incremental run over new orders refreshes `daily_revenue` by the
order dates those orders touch (and its table equals a full recompute from `clean_orders`); an
incremental run with no new rows skips `clean_orders` and both gold steps it feeds, leaving their
tables at the same Delta version; `refresh=True` runs every step in full.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tests.support.jobs import sorted_rows

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ecommerce"


@pytest.fixture
def shop(spark: SparkSession) -> Any:
    sys.path.insert(0, str(EXAMPLE))
    try:
        import data
        import pipeline
    finally:
        sys.path.remove(str(EXAMPLE))
    spark.sql(f"DROP SCHEMA IF EXISTS {pipeline.SCHEMA} CASCADE")
    yield pipeline, data
    spark.sql(f"DROP SCHEMA IF EXISTS {pipeline.SCHEMA} CASCADE")


def version(spark: SparkSession, table: str) -> int:
    return int(spark.sql(f"DESCRIBE HISTORY {table} LIMIT 1").first()["version"])  # type: ignore[index]


def recomputed(spark: SparkSession, pipeline: Any) -> DataFrame:
    silvers = {"clean_orders": spark.table(f"{pipeline.SCHEMA}.clean_orders")}
    return pipeline.daily_revenue(spark, silvers).select("order_date", "revenue")


def test_group_refresh_and_skip(spark: SparkSession, shop: Any) -> None:
    pipeline, data = shop
    runner = pipeline.build(spark).to_pipeline()
    customers = data.customers(spark, 50)
    orders = data.orders(spark, 200, customers=50)
    assert runner.initial_load(bronze_sources={"orders": orders, "customers": customers}).success
    gold = f"{pipeline.SCHEMA}.daily_revenue"

    more = orders.unionByName(data.orders(spark, 40, first_id=200, customers=50))
    result = runner.run_incremental(bronze_sources={"orders": more, "customers": customers})
    assert result.success, result.error_message
    logs = {r.step_name: r for r in spark.table(f"{pipeline.SCHEMA}.pipeline_logs").filter(F.col("run_id") == result.run_id).collect()}
    assert logs["daily_revenue"].groups_refreshed is not None and logs["daily_revenue"].groups_refreshed >= 1
    assert sorted_rows(spark.table(gold)) == sorted_rows(recomputed(spark, pipeline))

    before = {t: version(spark, f"{pipeline.SCHEMA}.{t}") for t in ("clean_orders", "daily_revenue")}
    result = runner.run_incremental(bronze_sources={"orders": more, "customers": customers})
    assert result.success, result.error_message
    statuses = {name: s.status.value for name, s in result.step_results.items()}
    assert statuses["clean_orders"] == "skipped"
    assert statuses["daily_revenue"] == "skipped"
    assert {t: version(spark, f"{pipeline.SCHEMA}.{t}") for t in before} == before

    result = runner.run_incremental(bronze_sources={"orders": more, "customers": customers}, refresh=True)
    assert result.success
    assert version(spark, gold) == before["daily_revenue"] + 1
    assert sorted_rows(spark.table(gold)) == sorted_rows(recomputed(spark, pipeline))
