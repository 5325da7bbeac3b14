"""Unit test of the marketing pipeline's click cleaning, written with `sparkforge.testing` (a model
for testing a silver step and its rules: the rows you pass are what the transform receives as
`bronze_df`; no table is read or written).

Run it with `pytest examples/marketing`.
"""

from __future__ import annotations

from datetime import date, datetime

from pyspark.sql import SparkSession
from sparkforge.testing import run_step

from examples.marketing.pipeline import build

CLICKS = "click_id string, campaign_id string, user_id string, click_ts timestamp, cost double, device string, user_agent string"


def test_clean_clicks_flags_bots_and_checks_cost(sparkforge_spark: SparkSession) -> None:
    clicks = sparkforge_spark.createDataFrame(
        [
            ("k1", "cmp-1", "u1", datetime(2025, 5, 1, 12), 0.4, "mobile", "Mozilla/5.0"),
            ("k2", "cmp-1", "u2", datetime(2025, 5, 1, 13), 0.3, "desktop", "Googlebot/2.1"),
            ("k3", "cmp-2", "u3", datetime(2025, 5, 2, 9), -1.0, "mobile", "Mozilla/5.0"),
        ],
        CLICKS,
    )
    result = run_step(build, "clicks", bronze=clicks)

    assert result.rules["cost:non_negative"] == 1  # k3
    assert result.invalid.select("click_id").first() == ("k3",)
    bots = {r.click_id: r.is_bot for r in result.valid.collect()}
    assert bots == {"k1": False, "k2": True}
    assert {r.click_date for r in result.valid.collect()} == {date(2025, 5, 1)}
    assert "user_agent" not in result.valid.columns
