"""Unit test of the tenants pipeline's per-tenant reporting, written with `sparkforge.testing` (a model
for a pipeline whose steps name their schemas: the builder checks they exist, so the test creates
them; no table is read or written).

Run it with `pytest examples/tenants`.
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import SparkSession
from sparkforge.testing import assert_frame_equal, run_step

from examples.tenants.pipeline import SCHEMAS, build


def test_acme_usage_keeps_only_acmes_rows(sparkforge_spark: SparkSession) -> None:
    for schema in SCHEMAS:
        sparkforge_spark.sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    usage = sparkforge_spark.createDataFrame(
        [
            ("acme", date(2025, 6, 1), "login", "u1", 0.5),
            ("acme", date(2025, 6, 1), "login", "u2", 0.25),
            ("acme", date(2025, 6, 1), "export", "u1", 3.0),
            ("globex", date(2025, 6, 1), "login", "u9", 1.0),
        ],
        "tenant_name string, event_date date, event_type string, user_id string, megabytes double",
    )
    result = run_step(build, "acme_usage", silvers={"tenant_usage": usage})

    assert result.passed and result.invalid_rows == 0
    assert_frame_equal(
        result.valid,
        [
            {"event_date": date(2025, 6, 1), "event_type": "export", "events": 1, "users": 1, "megabytes": 3.0},
            {"event_date": date(2025, 6, 1), "event_type": "login", "events": 2, "users": 2, "megabytes": 0.75},
        ],
    )
