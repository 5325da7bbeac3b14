"""A compiled example on a real Spark standalone cluster: one master and one worker on 127.0.0.1.

The fixture starts `spark-class org.apache.spark.deploy.master.Master` and `...worker.Worker` from
the pyspark package (the same Spark that spark-submit runs), each in its own process group, bound to
127.0.0.1 on free ports, and waits until the worker has registered (the master's JSON status on its
web UI port; loopback only, proxies bypassed). Finalizers registered as each daemon starts stop both,
whatever happens. The test compiles examples/iot with `--runtime-zip`, submits the job with
`--master spark://127.0.0.1:PORT --py-files sparkforge_runtime.zip`, and checks the tables it wrote
and that the master ran it as an application.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from sparkforge.validation import apply_column_rules

from tests.support.jobs import (
    BIN,
    ROOT,
    RunDirs,
    explain,
    load_module,
    pyspark_home,
    read_table,
    run_job,
    submit_env,
)

EXAMPLE = ROOT / "examples" / "iot"
APP_NAME = "sparkforge:iot_sensors"
READINGS = 200
STARTUP_LIMIT = 600.0  # generous: a loaded two-core machine starts JVMs slowly
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True, slots=True)
class Cluster:
    """A running standalone master with one registered worker."""

    url: str  # spark://127.0.0.1:PORT
    status_url: str  # http://127.0.0.1:WEBUI/json/
    logs: Path

    def status(self) -> dict[str, Any]:
        with NO_PROXY.open(self.status_url, timeout=10) as response:
            status: dict[str, Any] = json.load(response)
        return status

    def log_text(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log"))
        )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a daemon and everything in its process group: TERM, then KILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        return


def start_daemon(
    request: pytest.FixtureRequest, logs: Path, name: str, args: list[str]
) -> subprocess.Popen[bytes]:
    """`spark-class ARGS` in a new process group, output to `logs/NAME.log`, stopped at teardown."""
    logs.mkdir(parents=True, exist_ok=True)
    command = [str(pyspark_home() / "bin" / "spark-class"), *args]
    with (logs / f"{name}.log").open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=submit_env(), start_new_session=True
        )
    request.addfinalizer(lambda: stop(process))
    return process


def wait_for_worker(cluster: Cluster, daemons: list[subprocess.Popen[bytes]]) -> None:
    """Poll the master's status until one worker is ALIVE; fail at once if a daemon dies."""
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if any(d.poll() is not None for d in daemons):
            pytest.fail("a standalone daemon exited\n" + cluster.log_text())
        try:
            workers = cluster.status().get("workers", [])
        except OSError:  # the web UI is not up yet
            workers = []
        if any(w.get("state") == "ALIVE" for w in workers):
            return
        time.sleep(1)
    pytest.fail(f"no worker registered within {STARTUP_LIMIT:.0f}s\n" + cluster.log_text())


@pytest.fixture
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Cluster:
    """A master and a worker (1 core, 1 GB) on loopback; both stopped by finalizers."""
    port, master_ui, worker_port, worker_ui = (free_port() for _ in range(4))
    logs = tmp_path / "daemons"
    running = Cluster(
        url=f"spark://127.0.0.1:{port}",
        status_url=f"http://127.0.0.1:{master_ui}/json/",
        logs=logs,
    )
    master = start_daemon(
        request,
        logs,
        "master",
        ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
         "--webui-port", str(master_ui)],
    )  # fmt: skip
    worker = start_daemon(
        request,
        logs,
        "worker",
        ["org.apache.spark.deploy.worker.Worker", running.url, "--host", "127.0.0.1",
         "--port", str(worker_port), "--webui-port", str(worker_ui), "--cores", "1",
         "--memory", "1g", "--work-dir", str(tmp_path / "worker")],
    )  # fmt: skip
    wait_for_worker(running, [master, worker])
    return running


def compile_with_runtime_zip(out: Path) -> tuple[Path, Path]:
    """`sparkforge compile examples/iot/pipeline.py -o OUT/job.py --runtime-zip OUT/...zip`."""
    job, runtime_zip = out / "job.py", out / "sparkforge_runtime.zip"
    command = [str(BIN / "sparkforge"), "compile", str(EXAMPLE / "pipeline.py"), "-o", str(job)]
    command += ["--runtime-zip", str(runtime_zip)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return job, runtime_zip


@pytest.mark.slow
def test_compiled_job_runs_on_a_standalone_cluster(
    spark: SparkSession, cluster: Cluster, tmp_path: Path
) -> None:
    data, pipeline = load_module(EXAMPLE / "data.py"), load_module(EXAMPLE / "pipeline.py")
    raw = {
        "sensor_readings": tmp_path / "raw" / "readings",
        "devices": tmp_path / "raw" / "devices",
    }
    data.readings(spark, READINGS).write.parquet(str(raw["sensor_readings"]))
    data.devices(spark).write.parquet(str(raw["devices"]))
    job, runtime_zip = compile_with_runtime_zip(tmp_path / "build")
    dirs = RunDirs(tmp_path / "submit")

    done = run_job(
        job,
        "initial",
        {name: f"parquet:{path}" for name, path in raw.items()},
        dirs,
        master=cluster.url,
        py_files=runtime_zip,
        extra_conf={"spark.executor.memory": "512m", "spark.cores.max": "1"},
    )

    assert done.returncode == 0, explain(done) + "\n" + cluster.log_text()
    assert "8 completed, 0 failed, 0 cancelled" in done.stdout
    status = cluster.status()
    apps = [*status.get("activeapps", []), *status.get("completedapps", [])]
    assert APP_NAME in {app["name"] for app in apps}, apps
    # Tables: every valid raw reading reached silver; gold covers them all.
    rules = pipeline.READING_RULES
    raw_readings = spark.read.parquet(str(raw["sensor_readings"]))
    valid, _, _ = apply_column_rules(raw_readings, rules, "bronze", "sensor_readings")
    readings = read_table(spark, dirs, f"{pipeline.SCHEMA}.readings")
    assert readings.count() == valid.count() > 0
    assert read_table(spark, dirs, f"{pipeline.SCHEMA}.site_readings").count() == valid.count()
    hourly = read_table(spark, dirs, f"{pipeline.SCHEMA}.device_hourly")
    assert hourly.agg(F.sum("readings")).first()[0] == valid.count()  # type: ignore[index]
    assert read_table(spark, dirs, f"{pipeline.SCHEMA}.site_daily").count() > 0
    log = read_table(spark, dirs, f"{pipeline.SCHEMA}.pipeline_logs")
    assert sorted(r[0] for r in log.select("status").collect()) == ["completed"] * 8
    assert {r[0] for r in log.select("engine").collect()} == {"compiled"}
