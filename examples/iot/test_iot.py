"""Unit test of the IoT pipeline's hourly roll-up, written with `sparkforge.testing` (a model for
testing a gold step: its `silvers` are DataFrames you make; no table is read or written).

Run it with `pytest examples/iot`.
"""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import SparkSession
from sparkforge.testing import assert_frame_equal, run_step

from examples.iot.pipeline import build


def test_device_hourly_rolls_readings_up_per_device_and_hour(sparkforge_spark: SparkSession) -> None:
    readings = sparkforge_spark.createDataFrame(
        [
            ("d1", datetime(2025, 3, 1, 8, 5), 20.0),
            ("d1", datetime(2025, 3, 1, 8, 55), 22.5),
            ("d1", datetime(2025, 3, 1, 9, 10), 30.0),
            ("d2", datetime(2025, 3, 1, 8, 30), -4.0),
        ],
        "device_id string, event_ts timestamp, temperature_c double",
    )
    result = run_step(build, "device_hourly", silvers={"readings": readings})

    assert result.passed and result.rules["avg_c:min_c <= avg_c AND avg_c <= max_c"] == 0
    assert_frame_equal(
        result.valid,
        [
            {"device_id": "d1", "hour": datetime(2025, 3, 1, 8), "readings": 2, "min_c": 20.0, "avg_c": 21.25, "max_c": 22.5},
            {"device_id": "d1", "hour": datetime(2025, 3, 1, 9), "readings": 1, "min_c": 30.0, "avg_c": 30.0, "max_c": 30.0},
            {"device_id": "d2", "hour": datetime(2025, 3, 1, 8), "readings": 1, "min_c": -4.0, "avg_c": -4.0, "max_c": -4.0},
        ],
    )
