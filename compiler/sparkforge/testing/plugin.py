"""The pytest plugin of `sparkforge.testing`: a `sparkforge_spark` fixture that tests opt into.

Input: nothing at import (pytest loads this module through the `pytest11` entry point of the
sparkforge distribution, so it must stay light: no Spark until a test asks). Output: the
session-scoped fixture `sparkforge_spark`, a local Spark session with Delta Lake bound to
127.0.0.1 whose warehouse and metastore live in a temporary folder removed afterwards. When a
Spark session is already active (a project's own fixture made one), that session is shared and
left for its owner to stop.

    def test_clean_orders(sparkforge_spark):
        orders = sparkforge_spark.createDataFrame([(1, 2.0)], "order_id long, amount double")
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

# Small data wants few partitions; a test suite wants one quiet driver on the loopback address.
TEST_CONF = {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"}


@pytest.fixture(scope="session")
def sparkforge_spark() -> Iterator[Any]:
    """One Delta-enabled local SparkSession for the test session (`local[2]`, 127.0.0.1)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from sparkforge_runtime.session import build_session

    folder = tempfile.mkdtemp(prefix="sparkforge-testing-")
    session = build_session("sparkforge-testing", master="local[2]", warehouse_dir=folder, extra_conf=TEST_CONF)
    try:
        yield session
    finally:
        session.stop()
        shutil.rmtree(folder, ignore_errors=True)
