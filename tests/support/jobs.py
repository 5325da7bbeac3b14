"""Run compiled jobs with the real `spark-submit`, each run in its own warehouse and metastore.

Input: a job file, a mode, bronze sources and a run directory. Output: the finished process, and the
job's tables read back by path. The spark-submit JVM owns its embedded Derby metastore, so the test
session never opens it: it reads `<run dir>/warehouse/<schema>.db/<table>` as a Delta path instead.

    dirs = RunDirs(tmp_path)
    done = run_job(job, "initial", {"orders": "parquet:/raw/orders"}, dirs)
    rows = sorted_rows(read_table(spark, dirs, "shop.clean_orders"))
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from sparkforge_runtime.plan import Step, StepInfo
from sparkforge_runtime.session import DELTA_CONF, ENGINE_CONF

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
# Small, quiet and loopback-only: the data in these tests is a few hundred rows.
SMALL_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "WARN",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
SUBMIT_TIMEOUT = 1800.0  # a hung JVM must not hang the suite; never reached by a healthy run


@dataclass(frozen=True, slots=True)
class RunDirs:
    """A warehouse and a Derby metastore private to one sequence of job runs."""

    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def metastore(self) -> Path:
        return self.root / "metastore_db"

    def conf(self) -> dict[str, str]:
        """The settings that put tables and the metastore under `root`."""
        return {
            "spark.sql.catalogImplementation": "hive",
            "spark.sql.warehouse.dir": str(self.warehouse),
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={self.metastore};create=true"
            ),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={self.root}",
        }

    def table_path(self, fqn: str) -> Path:
        """Where a managed table `schema.table` lives in this warehouse."""
        schema, _, table = fqn.partition(".")
        return self.warehouse / f"{schema}.db" / table


def pyspark_home() -> Path:
    """The pyspark package directory, which is SPARK_HOME for spark-submit and spark-class."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def jars() -> str:
    """The Delta jars (comma-separated), from SPARKFORGE_JARS or .cache/jars (tests/conftest.py)."""
    value = os.environ.get("SPARKFORGE_JARS", "").strip()
    if not value:
        value = ",".join(str(p) for p in sorted((ROOT / ".cache" / "jars").glob("*.jar")))
    if not value:
        raise RuntimeError("no Delta jars: run `make setup` (it fills .cache/jars)")
    return value


def submit_env() -> dict[str, str]:
    """The environment of spark-submit and of the standalone daemons: loopback, the venv's Python."""
    python = str(BIN / "python")
    return {
        **os.environ,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_HOME": str(pyspark_home()),
        "PYSPARK_PYTHON": python,
        "PYSPARK_DRIVER_PYTHON": python,
    }


def sources_args(sources: Mapping[str, str]) -> list[str]:
    """`--source NAME=VALUE` for each bronze input, in name order."""
    args: list[str] = []
    for name, value in sorted(sources.items()):
        args += ["--source", f"{name}={value}"]
    return args


def submit_command(
    job: Path,
    job_args: Sequence[str],
    dirs: RunDirs,
    *,
    master: str = "local[2]",
    py_files: Path | None = None,
    extra_conf: Mapping[str, str] | None = None,
    extra_options: Sequence[str] = (),
) -> list[str]:
    """The complete spark-submit command line (local jars instead of --packages: tests run offline)."""
    conf = {**DELTA_CONF, **ENGINE_CONF, **SMALL_CONF, **dirs.conf(), **(extra_conf or {})}
    command = [str(BIN / "spark-submit"), "--master", master, "--jars", jars(), *extra_options]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    if py_files is not None:
        command += ["--py-files", str(py_files)]
    return [*command, str(job), *job_args]


def start_job(
    job: Path,
    mode: str,
    sources: Mapping[str, str],
    dirs: RunDirs,
    **options: Any,
) -> subprocess.Popen[str]:
    """Start `spark-submit job.py --mode MODE --source ...` in the background (cwd: the run dir)."""
    dirs.root.mkdir(parents=True, exist_ok=True)
    command = submit_command(job, ["--mode", mode, *sources_args(sources)], dirs, **options)
    return subprocess.Popen(
        command,
        cwd=dirs.root,
        env=submit_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish_job(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Wait for a job started by `start_job`; a JVM that hangs is killed with its process group."""
    try:
        out, err = process.communicate(timeout=SUBMIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        out, err = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def run_job(
    job: Path, mode: str, sources: Mapping[str, str], dirs: RunDirs, **options: Any
) -> subprocess.CompletedProcess[str]:
    """Run one job to the end."""
    return finish_job(start_job(job, mode, sources, dirs, **options))


def explain(done: subprocess.CompletedProcess[str], tail: int = 6000) -> str:
    """What to show when a run went wrong: the job's stdout and the end of the JVM's stderr."""
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr (end)\n{done.stderr[-tail:]}"


def load_module(path: Path) -> types.ModuleType:
    """Import an example's file (pipeline.py, data.py, job.py) under a name unique to its folder."""
    spec = importlib.util.spec_from_file_location(f"example_{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_table(spark: SparkSession, dirs: RunDirs, fqn: str) -> DataFrame:
    """A table the job wrote, read by path with the caller's session."""
    return spark.read.format("delta").load(str(dirs.table_path(fqn)))


def _none_first(row: Iterable[Any]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is not None, value) if value is not None else (False, 0) for value in row)


def sorted_rows(df: DataFrame, columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
    """The rows as sorted tuples (NULLs first), of `columns` or of every column in name order."""
    names = list(columns) if columns is not None else sorted(df.columns)
    return sorted((tuple(r) for r in df.select(*names).collect()), key=_none_first)


def column_types(df: DataFrame) -> list[tuple[str, str]]:
    """(name, type) of every column, in name order."""
    return sorted((f.name, f.dataType.simpleString()) for f in df.schema.fields)


def job_steps(module: types.ModuleType) -> list[StepInfo]:
    """The declarations of a compiled job's step functions, in the order the job defines them."""
    return [value.info for value in vars(module).values() if isinstance(value, Step)]
