"""Runs that never duplicate a row, under real `spark-submit`: overlapping runs and killed runs.

The job is the golden `tests/cases/fluent_chain/job.py` (bronze `orders` incremental on `ts` ->
silver `clean_orders` (appends) -> gold `daily_revenue`). Raw orders are Parquet files that each
round appends to. Two metastores over one warehouse stand for a shared metastore seen by two
schedulers (Derby allows one process per metastore): the second is a copy of the first, made after
the initial load, so both know the tables.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from sparkforge.compiler.emit.runtime_zip import write_runtime_zip

from tests.support.jobs import RunDirs, explain, finish_job, start_job

ROOT = Path(__file__).resolve().parent.parent
JOB = ROOT / "tests" / "cases" / "fluent_chain" / "job.py"
SCHEMA = "sf_golden_shop"
ROUNDS = int(os.environ.get("SPARKFORGE_RACE_ROUNDS", "5"))
pytestmark = pytest.mark.slow


def _orders(spark: SparkSession, raw: Path, first: int, count: int, mode: str) -> None:
    start = datetime(2026, 1, 1)
    rows = [(i, float(i % 50 + 1), start + timedelta(minutes=i)) for i in range(first, first + count)]
    df = spark.createDataFrame(rows, "order_id int, amount double, ts timestamp")
    df.coalesce(1).write.mode(mode).parquet(str(raw))


def _table(spark: SparkSession, warehouse: Path, name: str) -> Any:
    return spark.read.format("delta").load(str(warehouse / f"{SCHEMA}.db" / name))


def _start(dirs: RunDirs, warehouse: Path, raw: Path, mode: str, zip_path: Path) -> subprocess.Popen[str]:
    conf = {"spark.sql.warehouse.dir": str(warehouse)}
    return start_job(JOB, mode, {"orders": f"parquet:{raw}"}, dirs, py_files=zip_path, extra_conf=conf)


def _assert_exact(spark: SparkSession, warehouse: Path, expected: int) -> None:
    ids = [r["order_id"] for r in _table(spark, warehouse, "clean_orders").select("order_id").collect()]
    assert len(ids) == len(set(ids)), "a row was written twice"
    assert sorted(ids) == list(range(expected)), "a row was lost or duplicated"


def test_two_incremental_runs_at_once_never_duplicate(spark: SparkSession, tmp_path: Path) -> None:
    zip_path = write_runtime_zip(tmp_path)
    warehouse, raw = tmp_path / "warehouse", tmp_path / "raw" / "orders"
    first, second = RunDirs(tmp_path / "a"), RunDirs(tmp_path / "b")
    _orders(spark, raw, 0, 100, "overwrite")
    done = finish_job(_start(first, warehouse, raw, "initial", zip_path))
    assert done.returncode == 0, explain(done)
    shutil.copytree(first.metastore, second.metastore)
    total, succeeded = 100, 1
    for round_ in range(ROUNDS):
        _orders(spark, raw, total, 20, "append")
        total += 20
        runs = [_start(d, warehouse, raw, "incremental", zip_path) for d in (first, second)]
        results = [finish_job(p) for p in runs]
        for result in results:
            assert result.returncode in (0, 2), explain(result)
            if result.returncode == 2:  # the driver's stderr reaches stdout under spark-submit
                output = result.stdout + result.stderr
                assert "pipeline 'golden_shop' is already running (run " in output, explain(result)
                assert "Traceback" not in output
        assert 0 in [r.returncode for r in results], f"round {round_}: no run succeeded"
        succeeded += sum(1 for r in results if r.returncode == 0)
        _assert_exact(spark, warehouse, total)
    runs_log = _table(spark, warehouse, "pipeline_logs_runs").collect()
    assert sum(1 for r in runs_log if r["status"] == "completed") == succeeded
    assert sum(1 for r in runs_log if r["status"] == "running") == succeeded
    revenue = _table(spark, warehouse, "daily_revenue").collect()
    assert round(sum(r["revenue"] for r in revenue), 2) == round(sum(float(i % 50 + 1) for i in range(total)), 2)


def _kill_after_bronze(process: subprocess.Popen[str], timeout: float = 900.0) -> str:
    """Kill the job's whole process group once its bronze step is done (its silver step running)."""
    assert process.stdout is not None
    seen, deadline = [], time.monotonic() + timeout
    for line in process.stdout:
        seen.append(line)
        if line.startswith("ok        bronze  orders") or time.monotonic() > deadline:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return "".join(seen)


@pytest.mark.parametrize("mode", ["initial", "incremental"])
def test_a_killed_run_loses_nothing_and_is_recorded_abandoned(
    spark: SparkSession, tmp_path: Path, mode: str
) -> None:
    zip_path = write_runtime_zip(tmp_path)
    warehouse, raw, dirs = tmp_path / "warehouse", tmp_path / "raw" / "orders", RunDirs(tmp_path / "a")
    _orders(spark, raw, 0, 100, "overwrite")
    total = 100
    if mode == "incremental":
        done = finish_job(_start(dirs, warehouse, raw, "initial", zip_path))
        assert done.returncode == 0, explain(done)
        _orders(spark, raw, total, 30, "append")
        total += 30
    out = _kill_after_bronze(_start(dirs, warehouse, raw, mode, zip_path))
    assert "ok        bronze  orders" in out, out
    again = finish_job(_start(dirs, warehouse, raw, mode, zip_path))
    assert again.returncode == 0, explain(again)
    _assert_exact(spark, warehouse, total)
    statuses = [r["status"] for r in _table(spark, warehouse, "pipeline_logs_runs").collect()]
    assert "abandoned" in statuses, statuses
