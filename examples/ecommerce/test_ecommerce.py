"""Unit tests of the e-commerce pipeline's steps, written with `sparkforge.testing`: a model for
testing your own pipeline. Each test builds a few rows, runs one step (its transform, then its rules
and threshold) and checks what came out; no table is read or written.

Run them with `pytest examples/ecommerce`.
"""

from __future__ import annotations

from datetime import date, datetime

from pyspark.sql import SparkSession
from sparkforge.testing import assert_frame_equal, run_step

from examples.ecommerce.pipeline import build

ORDERS = "order_id long, customer_id long, order_ts timestamp, quantity int, unit_price double, status string"


def test_clean_orders_prices_and_drops_returns(sparkforge_spark: SparkSession) -> None:
    orders = sparkforge_spark.createDataFrame(
        [
            (1, 10, datetime(2025, 1, 1, 9), 2, 5.25, "placed"),
            (2, 11, datetime(2025, 1, 2, 9), 1, 7.0, "returned"),  # returns are dropped
            (3, 12, datetime(2025, 1, 2, 10), 3, 0.0, "shipped"),  # amount 0 fails "positive"
        ],
        ORDERS,
    )
    result = run_step(build, "clean_orders", bronze=orders)

    assert (result.total_rows, result.valid_rows, result.invalid_rows) == (2, 1, 1)
    assert result.rules["amount:positive"] == 1
    assert not result.passed  # 50% valid is below the silver threshold of 95%
    assert_frame_equal(
        result.valid,
        [{"order_id": 1, "customer_id": 10, "order_ts": datetime(2025, 1, 1, 9),
          "order_date": date(2025, 1, 1), "amount": 10.5}],
    )  # fmt: skip
    assert result.invalid.select("order_id", "_failed_rules").collect()[0] == (3, ["amount:positive"])


def test_daily_revenue_sums_each_day(sparkforge_spark: SparkSession) -> None:
    clean_orders = sparkforge_spark.createDataFrame(
        [(1, date(2025, 1, 1), 10.0), (2, date(2025, 1, 1), 2.5), (3, date(2025, 1, 2), 4.0)],
        "order_id long, order_date date, amount double",
    )
    result = run_step(build, "daily_revenue", silvers={"clean_orders": clean_orders})

    assert result.passed and result.rate == 100.0
    expected = sparkforge_spark.createDataFrame(
        [(date(2025, 1, 1), 12.5), (date(2025, 1, 2), 4.0)], "order_date date, revenue double"
    )
    assert_frame_equal(result.valid, expected)
