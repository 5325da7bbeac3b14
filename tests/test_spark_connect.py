"""The same compiled job, and the interpreted runner, on a Spark Connect server.

One local Spark Connect server is started for the module (`SparkConnectServer` from the pyspark
installation, on 127.0.0.1, with Delta configured on the server side and its own warehouse and
metastore) and stopped at the end, whatever happens.

- `examples/ecommerce/job.py` runs in all four modes as a plain `python job.py --remote sc://...`
  (the runtime on PYTHONPATH, no spark-submit, no JVM on the client; the validation-only run finds
  the server through `SPARK_REMOTE` instead), side by side with the same job run classic in this
  process on the shared session. After every mode both print the same summary and hold the same
  tables; at the end both run logs hold the same rows (up to run ids and times).
- The interpreted runner runs `tests/cases/merge_write` (an incremental silver step that upserts
  with a Delta merge) on a Connect session in a subprocess, initial then incremental, and is
  compared the same way with the classic interpreted runner.

A process that made a Connect session builds Connect columns from then on, which is why every
Connect client here is a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import types
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from sparkforge_runtime.connect import is_connect, remote_url, set_job_group
from sparkforge_runtime.connect_remote import connect_delta_available
from sparkforge_runtime.runlog import LOG_COLUMNS

from tests.support.connect_server import ConnectServer, start_server, stop_server
from tests.support.jobs import (
    BIN,
    ROOT,
    RunDirs,
    column_types,
    job_steps,
    load_module,
    read_table,
    sorted_rows,
    sources_args,
)

ECOMMERCE = ROOT / "examples" / "ecommerce"
MERGE_CASE = ROOT / "tests" / "cases" / "merge_write"
MODES = ("initial", "incremental", "full-refresh", "validation-only")
CLIENT_TIMEOUT = 1800.0
UNCOMPARED = {"run_id", "run_started_at", "run_ended_at", "start_time", "end_time", "duration_secs"}
COMPARED_LOG_COLUMNS = tuple(c for c in LOG_COLUMNS if c not in UNCOMPARED)
SUMMARY_ROW = re.compile(r"^\s*\d+\s+\S+\s+(bronze|silver|gold)\s")
PROFILE = "user_id long, updated_at timestamp, email string"


# --- without a server ----------------------------------------------------------------------------


def test_a_session_is_connect_by_its_class(spark: SparkSession) -> None:
    fake = type("SparkSession", (), {"__module__": "pyspark.sql.connect.session"})()
    assert is_connect(fake)
    assert not is_connect(spark)


def test_the_remote_url_comes_from_the_option_else_spark_remote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    assert remote_url(None) is None
    monkeypatch.setenv("SPARK_REMOTE", "sc://10.0.0.1:15002")
    assert remote_url(None) == "sc://10.0.0.1:15002"
    assert remote_url("sc://127.0.0.1:1") == "sc://127.0.0.1:1"
    with pytest.raises(ValueError, match=r"'http://x:1' must start with sc://.*SPARK_REMOTE"):
        remote_url("http://x:1")


def test_a_bad_remote_url_stops_the_job_before_spark_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    job = load_module(ECOMMERCE / "job.py")
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    assert job.main(["--remote", "localhost:15002"]) == 2
    assert "'localhost:15002' must start with sc://, e.g. sc://127.0.0.1:15002" in capsys.readouterr().err
    monkeypatch.setenv("SPARK_REMOTE", "127.0.0.1:15002")
    assert job.main(["--dry-run"]) == 2
    assert "(from --remote or SPARK_REMOTE)" in capsys.readouterr().err
    assert job.main(["--dry-run", "--remote", "sc://127.0.0.1:15002"]) == 0


class _ServerWithout:
    """Just enough of a Connect session to answer the Delta check: no extension in its settings,
    and reading a `delta` path fails with `error`."""

    def __init__(self, error: str) -> None:
        self.conf = types.SimpleNamespace(get=lambda key, default=None: default)
        self.read = self
        self.error = error

    def format(self, name: str) -> _ServerWithout:
        return self

    def load(self, path: str) -> Any:
        raise RuntimeError(self.error)


def test_delta_on_a_connect_server_is_found_by_its_data_source() -> None:
    missing = "[DATA_SOURCE_NOT_FOUND] Failed to find the data source: delta."
    assert not connect_delta_available(_ServerWithout(missing))  # type: ignore[arg-type]
    elsewhere = "[DELTA_PATH_DOES_NOT_EXIST] /sparkforge-delta-probe/none doesn't exist"
    assert connect_delta_available(_ServerWithout(elsewhere))  # type: ignore[arg-type]


def test_job_groups_on_a_classic_session(spark: SparkSession) -> None:
    sc = spark.sparkContext
    set_job_group(spark, "sparkforge:x", "silver step x", pool="x")
    assert sc.getLocalProperty("spark.jobGroup.id") == "sparkforge:x"
    assert sc.getLocalProperty("spark.scheduler.pool") == "x"
    set_job_group(spark, "sparkforge:watermark:t", "newest ts of t")  # the pool stays
    assert sc.getLocalProperty("spark.jobGroup.id") == "sparkforge:watermark:t"
    assert sc.getLocalProperty("spark.scheduler.pool") == "x"
    sc.setLocalProperty("spark.scheduler.pool", None)  # type: ignore[arg-type]


# --- on a local Spark Connect server --------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectServer]:
    running = start_server(RunDirs(tmp_path_factory.mktemp("connect-server")))
    try:
        yield running
    finally:
        stop_server(running)


def client_env(remote: str | None = None) -> dict[str, str]:
    """A Connect client's environment: the runtime from the checkout, loopback only."""
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "PYSPARK_GATEWAY_PORT")}
    env.update(SPARK_LOCAL_IP="127.0.0.1", PYTHONPATH=f"{ROOT / 'runtime'}{os.pathsep}{ROOT}")
    if remote is not None:
        env["SPARK_REMOTE"] = remote
    return env


def start_client(args: Sequence[str], cwd: Path, remote: str | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "python"), *args], cwd=cwd, env=client_env(remote), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def finish_client(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        out, err = process.communicate(timeout=CLIENT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        out, err = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def explain(done: subprocess.CompletedProcess[str], server: ConnectServer) -> str:
    return (
        f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-6000:]}"
        f"\n--- server log (end)\n{server.log_tail()}"
    )


def summary(stdout: str) -> list[list[str]]:
    """The job's closing table without its seconds column: stage, step, layer, status, counts."""
    return sorted(line.split()[:-1] for line in stdout.splitlines() if SUMMARY_ROW.match(line))


def assert_same_tables(spark: SparkSession, dirs: RunDirs, tables: Sequence[str], when: str) -> None:
    for fqn in tables:
        remote, classic = read_table(spark, dirs, fqn), spark.table(fqn)
        assert column_types(remote) == column_types(classic), f"{fqn} after {when}"
        rows = sorted_rows(classic)
        assert rows, f"{fqn} is empty after {when}: the data should fill it"
        assert sorted_rows(remote) == rows, f"{fqn} after {when}"


def assert_same_logs(spark: SparkSession, dirs: RunDirs, table: str, runs: int, steps: int) -> None:
    remote, classic = read_table(spark, dirs, table), spark.table(table)
    assert remote.select("run_id").distinct().count() == runs
    expected = sorted_rows(classic, COMPARED_LOG_COLUMNS)
    assert len(expected) == runs * steps
    assert sorted_rows(remote, COMPARED_LOG_COLUMNS) == expected


@pytest.fixture
def fresh(spark: SparkSession) -> Iterator[list[str]]:
    """Schemas of the classic side, dropped before and after; the test lists them."""
    schemas: list[str] = []
    yield schemas
    for name in schemas:
        spark.sql(f"DROP SCHEMA IF EXISTS `{name}` CASCADE")


def write_raw(frames: Mapping[str, DataFrame], raw: Path, mode: str) -> dict[str, str]:
    for name, df in frames.items():
        df.write.mode(mode).parquet(str(raw / name))
    return {name: str(raw / name) for name in frames}


@pytest.mark.slow
def test_the_compiled_job_on_spark_connect_matches_the_classic_run(
    spark: SparkSession,
    server: ConnectServer,
    fresh: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPARK_REMOTE", raising=False)  # the classic side stays classic
    data, job = load_module(ECOMMERCE / "data.py"), load_module(ECOMMERCE / "job.py")
    tables = sorted(s.table for s in job_steps(job) if s.writes)
    fresh.append("shop")
    spark.sql("DROP SCHEMA IF EXISTS shop CASCADE")
    first = {"customers": data.customers(spark, 60), "orders": data.orders(spark, 150, customers=60)}
    paths = write_raw(first, tmp_path / "raw", "overwrite")
    sources = sources_args({name: f"parquet:{path}" for name, path in paths.items()})
    for mode in MODES:
        if mode == "incremental":
            write_raw({"orders": data.orders(spark, 50, first_id=150, customers=60)}, tmp_path / "raw", "append")
        via_env = mode == "validation-only"  # found through SPARK_REMOTE instead of --remote
        args = [str(ECOMMERCE / "job.py"), "--mode", mode, *sources, "--log-level", "WARNING"]
        remote = start_client(
            args if via_env else [*args, "--remote", server.url], tmp_path, server.url if via_env else None
        )
        try:
            capsys.readouterr()
            classic_code = job.main(args[1:])  # the same job, classic, on the shared session
            classic_out = capsys.readouterr().out
        finally:
            done = finish_client(remote)
        assert done.returncode == 0, explain(done, server)
        assert classic_code == 0, classic_out
        assert summary(done.stdout) == summary(classic_out), mode
        assert len(summary(done.stdout)) == len(job_steps(job))
        assert_same_tables(spark, server.dirs, tables, mode)
    assert_same_logs(spark, server.dirs, job.PIPELINE.log_table, runs=3, steps=len(job_steps(job)))


@pytest.mark.slow
def test_the_interpreted_runner_on_spark_connect_merges_like_the_classic_one(
    spark: SparkSession,
    server: ConnectServer,
    fresh: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    fresh.append("users")
    spark.sql("DROP SCHEMA IF EXISTS users CASCADE")
    spark.sql("CREATE SCHEMA users")
    initial = [(i, datetime(2025, 1, 1, 0, i), f"u{i}@old.example") for i in range(1, 6)]
    updates = [(3, datetime(2025, 2, 1), "u3@new.example"), (6, datetime(2025, 2, 3), "u6@example")]
    batches = [
        write_raw({"profile_updates": spark.createDataFrame(rows, PROFILE)}, tmp_path / name, "overwrite")
        for name, rows in (("initial", initial), ("incremental", updates))
    ]
    pipeline = load_module(MERGE_CASE / "pipeline.py")  # its module-level getOrCreate: the shared session
    runner = pipeline.builder.to_pipeline()
    for mode, batch in zip(("initial", "incremental"), batches, strict=True):
        bindings = [f"{name}={path}" for name, path in batch.items()]
        args = ["-m", "tests.support.connect_runner", str(MERGE_CASE / "pipeline.py"), "users", mode]
        remote = start_client([*args, *bindings], ROOT, server.url)
        try:
            bronze = {name: spark.read.parquet(path) for name, path in batch.items()}
            run = runner.initial_load if mode == "initial" else runner.run_incremental
            classic = run(bronze_sources=bronze)
        finally:
            done = finish_client(remote)
        assert done.returncode == 0, explain(done, server)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["connect"] and result["success"], result
        assert classic.success, classic.error_message
        expected = {n: [s.status.value, s.rows_written] for n, s in classic.step_results.items()}
        assert result["steps"] == expected, mode
        assert_same_tables(spark, server.dirs, ["users.profiles"], mode)
    profiles = read_table(spark, server.dirs, "users.profiles")  # user 3 updated, user 6 added
    assert profiles.count() == 6
    assert_same_logs(spark, server.dirs, "users.pipeline_logs", runs=2, steps=2)

