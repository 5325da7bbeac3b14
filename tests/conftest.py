"""Shared fixtures: one Delta-enabled SparkSession per test run, a fresh schema per test."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
ROOT = Path(__file__).resolve().parent.parent
_JARS = sorted((ROOT / ".cache" / "jars").glob("*.jar"))
if _JARS and not os.environ.get("SPARKFORGE_JARS"):
    os.environ["SPARKFORGE_JARS"] = ",".join(str(j) for j in _JARS)

_counter = itertools.count()


@pytest.fixture(scope="session")
def warehouse() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="sparkforge-tests-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def spark(warehouse: Path):  # type: ignore[no-untyped-def]
    from sparkforge_runtime.session import build_session

    session = build_session(
        "sparkforge-tests",
        master="local[2]",
        warehouse_dir=warehouse,
        extra_conf={"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"},
    )
    yield session
    session.stop()


@pytest.fixture
def schema(spark, request) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty schema for one test, dropped afterwards."""
    name = f"t{next(_counter)}_{request.node.name.split('[')[0][:40]}".lower()
    name = "".join(ch if ch.isalnum() else "_" for ch in name)
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{name}`")
    yield name
    spark.sql(f"DROP SCHEMA IF EXISTS `{name}` CASCADE")


@pytest.fixture
def make_schema(spark):  # type: ignore[no-untyped-def]
    """Create extra schemas for multi-schema tests; all are dropped afterwards."""
    made: list[str] = []

    def _make(prefix: str) -> str:
        name = f"{prefix}_{next(_counter)}"
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{name}`")
        made.append(name)
        return name

    yield _make
    for name in made:
        spark.sql(f"DROP SCHEMA IF EXISTS `{name}` CASCADE")
