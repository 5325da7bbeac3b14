"""A compiled golden job run for real: in-process against the shared session, and by spark-submit.

The job is `tests/cases/fluent_chain/job.py` (bronze `orders` incremental on `ts` -> silver
`clean_orders` -> gold `daily_revenue`, all in schema `sf_golden_shop`).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
import subprocess
import sys
import types
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sparkforge.compiler.emit.runtime_zip import write_runtime_zip
from sparkforge_runtime.session import DELTA_CONF, ENGINE_CONF

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "cases" / "fluent_chain" / "job.py"
SCHEMA = "sf_golden_shop"
ORDERS = "order_id int, amount double, ts timestamp"
START = datetime(2025, 1, 1)


def load_job() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("golden_shop_job", GOLDEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(ids: range, bad: frozenset[int] = frozenset()) -> list[tuple[Any, ...]]:
    return [(i, -1.0 if i in bad else float(i), START + timedelta(hours=i)) for i in ids]


@pytest.fixture
def job() -> types.ModuleType:
    return load_job()


@pytest.fixture
def shop(spark: Any, schema: str) -> Iterator[str]:
    """The job's own schema, emptied around each test; yields the input table (in `schema`)."""
    spark.sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    spark.sql(f"CREATE SCHEMA {SCHEMA}")
    yield f"{schema}.orders_in"
    spark.sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def put(spark: Any, table: str, data: list[tuple[Any, ...]], mode: str = "overwrite") -> None:
    spark.createDataFrame(data, ORDERS).write.format("delta").mode(mode).saveAsTable(table)


def count(spark: Any, table: str) -> int:
    return int(spark.table(table).count())


def versions(spark: Any, table: str) -> int:
    return int(spark.sql(f"DESCRIBE HISTORY {table}").count())


def test_every_mode(spark: Any, shop: str, job: types.ModuleType, capsys: Any) -> None:
    put(spark, shop, rows(range(1, 11)))
    assert job.main(["--mode", "initial", "--source", f"orders={shop}"]) == 0
    assert count(spark, f"{SCHEMA}.clean_orders") == 10
    assert count(spark, f"{SCHEMA}.daily_revenue") == 1
    out = capsys.readouterr().out
    assert "ok        bronze  orders  in 10  valid 100.00%  " in out
    assert "ok        silver  clean_orders  in 10  valid 100.00%  written 10  " in out
    assert "3 completed, 0 failed, 0 cancelled" in out

    put(spark, shop, rows(range(11, 16)), mode="append")
    assert job.main(["--source", f"orders={shop}"]) == 0  # incremental is the default
    assert count(spark, f"{SCHEMA}.clean_orders") == 15
    assert "in 5" in capsys.readouterr().out

    assert job.main(["--mode", "full_refresh", "--source", f"orders={shop}"]) == 0
    assert count(spark, f"{SCHEMA}.clean_orders") == 15

    before = versions(spark, f"{SCHEMA}.clean_orders")
    assert job.main(["--mode", "validation-only", "--source", f"orders={shop}"]) == 0
    assert versions(spark, f"{SCHEMA}.clean_orders") == before
    logs = spark.table(f"{SCHEMA}.pipeline_logs")
    assert logs.count() == 9  # three logged runs of three steps; validation-only logs nothing
    assert {r["engine"] for r in logs.select("engine").collect()} == {"compiled"}


def test_a_failed_step_exits_1_and_logs(spark: Any, shop: str, job: types.ModuleType, capsys: Any) -> None:
    put(spark, shop, rows(range(1, 11), bad=frozenset({1, 2, 3})))
    assert job.main(["--mode", "initial", "--source", f"orders={shop}", "--log-table", f"{SCHEMA}.log"]) == 1
    captured = capsys.readouterr()
    assert "FAILED    bronze  orders" in captured.out
    assert "[bronze:orders] validation 70.00% below required 95.00%" in captured.err
    statuses = {r["step_name"]: r["status"] for r in spark.table(f"{SCHEMA}.log").collect()}
    assert statuses == {"orders": "failed", "clean_orders": "cancelled", "daily_revenue": "cancelled"}
    assert not spark.catalog.tableExists(f"{SCHEMA}.clean_orders")


def test_steps_runs_a_subset_with_its_upstream(spark: Any, shop: str, job: types.ModuleType) -> None:
    put(spark, shop, rows(range(1, 4)))
    assert job.main(["--mode", "initial", "--source", f"orders={shop}", "--steps", "clean_orders"]) == 0
    assert count(spark, f"{SCHEMA}.clean_orders") == 3
    assert not spark.catalog.tableExists(f"{SCHEMA}.daily_revenue")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "order=x.y"], "did you mean 'orders'?"),
        (["--source", "orders"], "write NAME=TABLE_OR_PATH"),
        (["--source", "clean_orders=x.y"], "is not a bronze step"),
        (["--source", "orders=a.b", "--source", "orders=c.d"], "given twice"),
        (["--steps", "daily"], "unknown step 'daily'"),
        (["--max-workers", "0"], "at least 1"),
        (["--mode", "nightly"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2(job: types.ModuleType, capsys: Any, argv: list[str], message: str) -> None:
    assert job.main(argv) == 2
    assert message in capsys.readouterr().err


def test_help_gives_the_complete_submit_command(job: types.ModuleType, capsys: Any) -> None:
    assert job.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--packages io.delta:delta-spark_4.1_2.13:4.4.0 \\" in out
    assert "--conf spark.sql.adaptive.optimizer.excludedRules=" in out
    assert "--py-files sparkforge_runtime.zip \\\n  job.py --mode incremental" in out


def test_wrong_runtime_version_exits_2(job: types.ModuleType, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(job, "PIPELINE", dataclasses.replace(job.PIPELINE, runtime_requires=">=9.0,<9.1"))
    assert job.main(["--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "needs sparkforge_runtime >=9.0,<9.1, but found 0.1.0" in err
    assert "--with-runtime-zip" in err


def test_dry_run_prints_the_plan_without_java(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "SPARK_HOME")}
    env["PATH"] = str(tmp_path)
    argv = [sys.executable, str(GOLDEN), "--dry-run", "--mode", "incremental", "--source", "orders=parquet:/in"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "pipeline 'golden_shop', mode incremental (dry run: nothing is read or written)",
        "stage 1",
        "  bronze  orders  reads parquet:/in (only rows with a newer ts); "
        "if it fails, cancels clean_orders, daily_revenue",
        "stage 2",
        "  silver  clean_orders  append -> sf_golden_shop.clean_orders  after orders; "
        "if it fails, cancels daily_revenue",
        "stage 3",
        "  gold    daily_revenue  overwrite -> sf_golden_shop.daily_revenue  after clean_orders",
    ]


# --- spark-submit -------------------------------------------------------------------------------


def submit(tmp_path: Path, *, delta: bool, mode: str = "initial") -> subprocess.CompletedProcess[str]:
    """`spark-submit job.py` as the header says, with local jars instead of --packages (offline)."""
    write_runtime_zip(tmp_path)
    shutil.copy(GOLDEN, tmp_path / "job.py")
    confs = {
        **DELTA_CONF, **ENGINE_CONF,
        "spark.sql.warehouse.dir": str(tmp_path / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL":
            f"jdbc:derby:;databaseName={tmp_path / 'metastore_db'};create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={tmp_path}",
        "spark.ui.enabled": "false",
    }  # fmt: skip
    command = [str(ROOT / ".venv" / "bin" / "spark-submit"), "--master", "local[2]"]
    if delta:
        command += ["--jars", os.environ["SPARKFORGE_JARS"]]
    for key, value in confs.items():
        command += ["--conf", f"{key}={value}"]
    command += ["--py-files", str(tmp_path / "sparkforge_runtime.zip"), "job.py", "--mode", mode]
    command += ["--source", f"orders=parquet:{tmp_path / 'orders'}"]
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": str(ROOT / ".venv" / "bin" / "python")}
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_spark_submit_runs_the_compiled_job(spark: Any, tmp_path: Path) -> None:
    spark.createDataFrame(rows(range(1, 21)), ORDERS).write.parquet(str(tmp_path / "orders"))
    done = submit(tmp_path, delta=True)
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    assert "3 completed, 0 failed, 0 cancelled" in done.stdout
    tables = tmp_path / "warehouse" / f"{SCHEMA}.db"
    assert spark.read.format("delta").load(str(tables / "clean_orders")).count() == 20
    revenue = spark.read.format("delta").load(str(tables / "daily_revenue")).collect()
    assert sum(r["orders"] for r in revenue) == 20
    assert spark.read.format("delta").load(str(tables / "pipeline_logs")).count() == 3


@pytest.mark.slow
def test_spark_submit_without_delta_stops_with_the_command(spark: Any, tmp_path: Path) -> None:
    spark.createDataFrame(rows(range(1, 3)), ORDERS).write.parquet(str(tmp_path / "orders"))
    done = submit(tmp_path, delta=False)
    assert done.returncode == 2, done.stdout + done.stderr[-4000:]
    # spark-submit's PythonRunner merges the driver's stderr into its stdout.
    assert "Delta Lake is not on the classpath" in done.stdout
    assert "spark-submit \\\n  --packages io.delta:delta-spark_4.1_2.13:4.4.0 \\" in done.stdout
    assert not (tmp_path / "warehouse" / f"{SCHEMA}.db" / "clean_orders").exists()


def test_a_failed_log_write_after_a_good_run_exits_4(spark: Any, shop: str, job: types.ModuleType, capsys: Any) -> None:
    """Every step completed and wrote its table; only the run log could not be written."""
    put(spark, shop, rows(range(1, 4)))
    spark.sql(f"CREATE VIEW {SCHEMA}.broken_log AS SELECT 1 AS x")
    code = job.main(["--mode", "initial", "--source", f"orders={shop}", "--log-table", f"{SCHEMA}.broken_log"])
    captured = capsys.readouterr()
    assert code == 4
    assert "3 completed, 0 failed, 0 cancelled" in captured.out
    assert f"run log: writing the run log {SCHEMA}.broken_log failed: " in captured.err
    assert "Traceback" not in captured.err and "at org.apache" not in captured.err
    assert count(spark, f"{SCHEMA}.clean_orders") == 3


def test_bad_log_table_and_missing_source_path_exit_2_before_spark_runs(
    job: types.ModuleType, capsys: Any, tmp_path: Path
) -> None:
    assert job.main(["--log-table", "x; DROP TABLE shop.clean_orders"]) == 2
    assert "--log-table 'x; DROP TABLE shop.clean_orders' is not a valid table name" in capsys.readouterr().err
    missing = tmp_path / "landing" / "orders"
    assert job.main(["--source", f"orders=parquet:{missing}"]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "Traceback" not in err


def test_a_second_run_while_one_holds_the_lease_exits_2(spark: Any, shop: str, job: types.ModuleType, capsys: Any) -> None:
    from sparkforge_runtime.lease import claim, lease_root
    from sparkforge_runtime.lease_table import lease_path

    put(spark, shop, rows(range(1, 4)))
    root = lease_root(spark, SCHEMA)
    claim(spark, root, "golden_shop", "other-run", ttl_seconds=600)  # never released: that run "dies"
    assert job.main(["--mode", "initial", "--source", f"orders={shop}"]) == 2
    err = capsys.readouterr().err
    assert "pipeline 'golden_shop' is already running (run other-run, started " in err
    assert not spark.catalog.tableExists(f"{SCHEMA}.clean_orders")
    # Its heartbeat stops and its time runs out: the next run takes over and records it.
    spark.sql(f"UPDATE delta.`{lease_path(root)}` SET expires_ms = 0 WHERE run_id = 'other-run'")
    assert job.main(["--mode", "initial", "--source", f"orders={shop}"]) == 0
    runs = {(r["run_id"], r["status"]) for r in spark.table(f"{SCHEMA}.pipeline_logs_runs").collect()}
    assert ("other-run", "abandoned") in runs
    assert sorted(status for _, status in runs) == ["abandoned", "completed", "running"]
