"""Start one benchmark run in its own fresh Spark process and measure it from the outside.

Input: a `Bench` (sizes, Spark settings, where things live), an implementation label and its
arguments. Output: a `Run`: exit code, wall time, CPU time and peak RSS of the process tree (`os.wait4`), and
the Spark metrics parsed from the run's event log (`benchmarks.eventlog`).

Every implementation gets the same Spark settings: local[2] master bound to 127.0.0.1, the same
shuffle partitions and driver memory, Delta Lake, a Derby metastore and a warehouse in a fresh run
directory, and an uncompressed, non-rolling event log with executor-metric polling.

    run(bench, "a", ["--mode", "initial", "--source", "events=csv:/data"], job=job_py)
    -> Run(impl="a", wall_s=21.4, cpu_s=30.2, max_rss_mb=1210.0, metrics=EventLogMetrics(...))
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkforge_runtime.local import LOCAL_CONF
from sparkforge_runtime.session import CACHE_CONF, DELTA_CONF, ENGINE_CONF

from benchmarks.eventlog import EventLogMetrics, parse_event_log

ROOT = Path(__file__).resolve().parent.parent
IMPLS = {
    "a": "compiled job (spark-submit)",
    "b": "interpreted runner",
    "c": "floor: plain PySpark, no validation",
    "d": "hand-written validation (count, count, write)",
    "z": "startup only: session, schema, one one-row Delta table",
}


@dataclass(frozen=True, slots=True)
class Bench:
    """What every run shares. `work` holds data, jobs and run directories."""

    work: Path
    rows: int = 200_000
    master: str = "local[2]"
    shuffle_partitions: int = 4
    driver_memory: str = "4g"
    timeout_s: float = 3600.0
    keep_runs: bool = False
    jvm_options: str = ""  # extra driver JVM options, e.g. a Flight Recorder profile

    @property
    def python(self) -> str:
        return str(ROOT / ".venv" / "bin" / "python")

    @property
    def jars(self) -> str:
        jars = os.environ.get("SPARKFORGE_JARS", "").replace(" ", ",").strip(",")
        if not jars:
            jars = ",".join(str(p) for p in sorted((ROOT / ".cache" / "jars").glob("*.jar")))
        return jars


@dataclass(slots=True)
class Run:
    impl: str
    label: str
    returncode: int
    wall_s: float
    cpu_s: float  # user + system CPU of the process tree: robust when other work shares the cores
    max_rss_mb: float
    load1: float  # the 1-minute load average when the run started
    metrics: EventLogMetrics | None
    run_dir: Path
    extra: dict[str, Any] = field(default_factory=dict)


def spark_conf(bench: Bench, run_dir: Path) -> dict[str, str]:
    """The Spark settings of every run (the same for all four implementations)."""
    parts = str(bench.shuffle_partitions)
    conf = {**DELTA_CONF, **ENGINE_CONF, **CACHE_CONF, **LOCAL_CONF}
    conf.update(
        {
            "spark.master": bench.master,
            "spark.driver.memory": bench.driver_memory,
            "spark.sql.shuffle.partitions": parts,
            "spark.default.parallelism": parts,
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.catalogImplementation": "hive",
            "spark.sql.warehouse.dir": str(run_dir / "warehouse"),
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={run_dir / 'metastore_db'};create=true"
            ),
            "spark.driver.extraJavaOptions": (
                f"-Dderby.system.home={run_dir} {bench.jvm_options}".strip()
            ),
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": str(run_dir / "eventlog"),
            "spark.eventLog.compress": "false",
            "spark.eventLog.rolling.enabled": "false",
            "spark.eventLog.logStageExecutorMetrics": "true",
            "spark.executor.processTreeMetrics.enabled": "true",
            "spark.executor.metrics.pollingInterval": "250ms",
            "spark.jars": bench.jars,
        }
    )
    return conf


def submit_command(bench: Bench, run_dir: Path, script: Path, args: list[str]) -> list[str]:
    conf = spark_conf(bench, run_dir)
    cmd = [str(ROOT / ".venv" / "bin" / "spark-submit"), "--master", bench.master]
    cmd += ["--driver-memory", bench.driver_memory, "--jars", bench.jars]
    for key, value in conf.items():
        if key not in ("spark.master", "spark.driver.memory", "spark.jars"):
            cmd += ["--conf", f"{key}={value}"]
    return [*cmd, str(script), *args]


def command(bench: Bench, impl: str, run_dir: Path, args: list[str], job: Path | None) -> list[str]:
    """The command line of implementation `impl` (a, b, c or d) with its own arguments."""
    if impl == "a":
        assert job is not None, "the compiled job is needed for implementation (a)"
        return submit_command(bench, run_dir, job, args)
    if impl == "b":
        conf_file = run_dir / "spark_conf.json"
        conf_file.write_text(json.dumps(spark_conf(bench, run_dir), indent=1))
        script = ROOT / "benchmarks" / "interpreted.py"
        return [bench.python, str(script), "--conf-file", str(conf_file), *args]
    variant = {"c": "floor", "d": "counts", "z": "startup"}[impl]
    script = ROOT / "benchmarks" / "handwritten.py"
    return submit_command(bench, run_dir, script, ["--variant", variant, *args])


def child_env(bench: Bench, pythonpath: str | None = None) -> dict[str, str]:
    """The environment of a run; `pythonpath` goes first (another checkout's compiled packages)."""
    venv_bin = str(ROOT / ".venv" / "bin")
    env = dict(os.environ)
    env.update(
        {
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYSPARK_PYTHON": bench.python,
            "PYSPARK_DRIVER_PYTHON": bench.python,
            "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [pythonpath, str(ROOT), env.get("PYTHONPATH")])
            ),
            "SPARKFORGE_JARS": bench.jars,
            "SPARKFORGE_DRIVER_MEMORY": bench.driver_memory,
        }
    )
    env.pop("PYSPARK_GATEWAY_PORT", None)
    env.pop("PYSPARK_GATEWAY_SECRET", None)
    return env


def measure(
    cmd: list[str], env: dict[str, str], run_dir: Path, timeout_s: float
) -> tuple[int, float, float]:
    """Run `cmd`; return (exit code, wall seconds, peak RSS in MB of the largest process in its tree).

    `os.wait4` reports the rusage of the child including every descendant it waited for (the JVM
    that spark-submit execs, or the JVM the interpreted runner's Python starts and waits for).
    """
    with open(run_dir / "stdout.txt", "wb") as out, open(run_dir / "stderr.txt", "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, start_new_session=True)
        timer = threading.Timer(timeout_s, lambda: os.killpg(proc.pid, 9))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    rss_mb = usage.ru_maxrss / 1024.0  # Linux reports KiB
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime, rss_mb


def run(
    bench: Bench,
    impl: str,
    label: str,
    args: list[str],
    *,
    job: Path | None = None,
    run_dir: Path | None = None,
    pythonpath: str | None = None,
) -> Run:
    """One measured run of `impl` in a fresh directory (or in `run_dir`, to chain runs)."""
    fresh = run_dir is None
    run_dir = run_dir or bench.work / "runs" / label
    if fresh:
        shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir = run_dir / "eventlog"
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir()
    cmd = command(bench, impl, run_dir, args, job)
    load1 = os.getloadavg()[0]
    code, wall, cpu, rss = measure(cmd, child_env(bench, pythonpath), run_dir, bench.timeout_s)
    metrics = parse_event_log(log_dir) if any(log_dir.iterdir()) else None
    if bench.keep_runs:  # chained runs share run_dir: keep each run's event log apart
        shutil.copytree(log_dir, run_dir / f"eventlog-{label}", dirs_exist_ok=True)
    result = Run(impl, label, code, wall, cpu, rss, load1, metrics, run_dir)
    if code != 0:
        tail = (run_dir / "stderr.txt").read_text(errors="replace").splitlines()[-25:]
        print(
            f"  run {label} ({impl}) exited {code}; stderr tail:",
            *tail,
            sep="\n    ",
            file=sys.stderr,
        )
    return result


def cleanup(bench: Bench, result: Run) -> None:
    """Drop a run's tables and logs once measured (the figures live in the results file)."""
    if not bench.keep_runs and result.returncode == 0:
        shutil.rmtree(result.run_dir, ignore_errors=True)
