"""Quarantine on real Spark + Delta: the invalid rows exactly, with the rules each failed; written from
the persisted rows; once per run, even when the process is killed after the write and the run is
retried with its run id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from sparkforge import PipelineBuilder, rule
from sparkforge.compiler.api import CompileOptions, compile_source
from sparkforge.exceptions import StepError
from sparkforge_runtime.quarantine import new_run_id, run_version

ROWS = [
    (1, 5, "xa"),
    (2, None, "xb"),
    (3, -1, None),
    (None, 0, "yc"),
    (5, 7, "xd"),
    (6, 3, "q"),
]
SCHEMA = "id int, qty int, code string"
RULES = {"id": ["not_null"], "qty": ["positive"], "code": [rule("code LIKE 'x%'", action="warn", name="x_code")]}


def reference(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows a dropping rule fails, each with every rule it fails, computed in Python."""
    out = []
    for r in rows:
        failed = [label for label, ok in (
            ("id:not_null", r[0] is not None),
            ("qty:positive", r[1] is not None and r[1] > 0),
            ("code:x_code", r[2] is not None and r[2].startswith("x")),
        ) if not ok]  # fmt: skip
        if any(f != "code:x_code" for f in failed):
            out.append((*r, failed))
    return sorted(out, key=repr)


def _builder(spark: SparkSession, schema: str, **options: Any) -> PipelineBuilder:
    builder = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=0.0, min_silver_rate=0.0,
                              verbose=False, **options)  # fmt: skip
    return builder.with_bronze_rules(name="raw", rules=RULES).add_silver_transform(
        name="kept", source_bronze="raw", transform=lambda spark, df, prior: df,
        rules={"qty": [["lt", 6]], "id": [], "code": []}, table_name="kept",
    )  # fmt: skip


def test_quarantine_holds_the_invalid_rows_with_their_rules(spark: SparkSession, schema: str) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    result = _builder(spark, schema, quarantine=True).to_pipeline().initial_load(bronze_sources={"raw": df})
    assert result.success, result.error_message
    table = spark.table(f"{schema}.raw_quarantine")
    assert table.columns == ["id", "qty", "code", "_failed_rules", "_run_id", "_step_name", "_quarantined_at"]
    got = sorted(((r["id"], r["qty"], r["code"], list(r["_failed_rules"])) for r in table.collect()), key=repr)
    assert got == reference(ROWS)
    assert {(r["_run_id"], r["_step_name"]) for r in table.collect()} == {(result.run_id, "raw")}
    kept = spark.table(f"{schema}.kept_quarantine").collect()  # qty 7 fails lt(6)
    assert [(r["id"], list(r["_failed_rules"])) for r in kept] == [(5, ["qty:lt(6)"])]
    assert result.step_results["raw"].validation_result.invalid_rows == len(reference(ROWS))


def test_quarantine_is_off_by_default_and_per_step(spark: SparkSession, schema: str) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    builder = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=0.0, verbose=False)
    builder.with_bronze_rules(name="raw", rules=RULES, quarantine="raw_bad")
    builder.with_bronze_rules(name="other", rules=RULES)
    assert builder.to_pipeline().initial_load(bronze_sources={"raw": df, "other": df}).success
    assert spark.table(f"{schema}.raw_bad").count() == len(reference(ROWS))
    assert not spark.catalog.tableExists(f"{schema}.other_quarantine")


def test_quarantine_name_is_checked(spark: SparkSession, schema: str) -> None:
    builder = PipelineBuilder(spark=spark, schema=schema, verbose=False)
    with pytest.raises(StepError, match="invalid table name"):
        builder.with_bronze_rules(name="raw", rules=RULES, quarantine="bad name; DROP")
    with pytest.raises(StepError, match="quarantine must be True, False or a table name"):
        builder.with_bronze_rules(name="raw", rules=RULES, quarantine=3)


def test_run_ids_carry_their_start() -> None:
    run_id = new_run_id(1_733_131_200_123)
    assert run_version(run_id) == 1_733_131_200_123
    assert run_version(new_run_id()) > 1_733_131_200_123


RUNNER = '''
import os, signal, sys
from sparkforge_runtime.session import build_session
from sparkforge_runtime import verbs
import importlib.util

job_path, warehouse, source, run_id, kill = sys.argv[1:6]
build_session("qkill", master="local[1]", warehouse_dir=warehouse)
if kill == "1":  # die right after the silver step's quarantine write, before its publish
    verbs.StepRun.publish = lambda self, checked, covered=None: os.kill(os.getpid(), signal.SIGKILL)
spec = importlib.util.spec_from_file_location("job", job_path)
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)
args = ["--mode", "initial", "--source", f"raw=parquet:{source}", "--no-parallel"]
sys.exit(job.main(args + (["--run-id", run_id] if run_id else [])))
'''


def _run(tmp: Path, run_id: str, kill: bool) -> subprocess.CompletedProcess[str]:
    args = [str(tmp / "job.py"), str(tmp / "wh"), str(tmp / "raw"), run_id, "1" if kill else "0"]
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    return subprocess.run([sys.executable, str(tmp / "runner.py"), *args], capture_output=True,
                          text=True, env=env, timeout=600, check=False)  # fmt: skip


@pytest.mark.slow
def test_killed_run_retried_with_its_id_does_not_duplicate(spark: SparkSession, tmp_path: Path) -> None:
    compiled = compile_source(textwrap.dedent(_pipeline_text()), "pipeline.py", CompileOptions())
    assert compiled.source is not None, compiled.diagnostics
    (tmp_path / "job.py").write_text(compiled.source)
    (tmp_path / "runner.py").write_text(RUNNER)
    spark.createDataFrame(ROWS, SCHEMA).write.parquet(str(tmp_path / "raw"))
    run_id = new_run_id()
    killed = _run(tmp_path, run_id, kill=True)
    assert killed.returncode == -9, killed.stderr[-3000:]
    retried = _run(tmp_path, run_id, kill=False)
    assert retried.returncode == 0, retried.stderr[-3000:]
    fresh = _run(tmp_path, "", kill=False)  # a new run is new rows
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    counts = _counts(tmp_path)
    assert counts == {"raw": 2 * len(reference(ROWS)), "kept": 2}, counts


def _pipeline_text() -> str:
    return '''
from sparkforge import PipelineBuilder, rule

def keep(spark, bronze_df, prior_silvers):
    return bronze_df

def build(spark):
    return (
        PipelineBuilder(spark=spark, schema="qkill", min_bronze_rate=0.0, min_silver_rate=0.0,
                        pipeline_name="qkill")
        .with_bronze_rules(
            name="raw", quarantine=True,
            rules={"id": ["not_null"], "qty": ["positive"],
                   "code": [rule("code LIKE 'x%'", action="warn", name="x_code")]},
        )
        .add_silver_transform(
            name="kept", source_bronze="raw", transform=keep, table_name="kept", quarantine=True,
            rules={"qty": [["lt", 6]], "id": [], "code": []},
        )
    )
'''


def _counts(tmp: Path) -> dict[str, int]:
    script = f'''
from sparkforge_runtime.session import build_session
spark = build_session("qcount", master="local[1]", warehouse_dir={str(tmp / "wh")!r})
for name in ("raw", "kept"):
    print(name, spark.table(f"qkill.{{name}}_quarantine").count())
'''
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          timeout=600, check=True)  # fmt: skip
    return {line.split()[0]: int(line.split()[1]) for line in done.stdout.splitlines() if line.count(" ") == 1}


def test_quarantine_is_one_write_from_the_cache(
    spark: SparkSession, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quarantined rows are read from the persisted flagged rows (every leaf of their plan is
    the cache), and quarantine adds only its write's jobs to the step's job group."""
    from sparkforge_runtime import quarantine

    plans: list[list[str]] = []
    original = quarantine.write_quarantine

    def spy(spark_: SparkSession, rows: Any, table: str, **kwargs: Any) -> None:
        leaves = rows._jdf.queryExecution().optimizedPlan().collectLeaves()
        plans.append([leaves.apply(i).nodeName() for i in range(leaves.size())])
        original(spark_, rows, table, **kwargs)

    monkeypatch.setattr(quarantine, "write_quarantine", spy)
    df = spark.createDataFrame(ROWS, SCHEMA)
    tracker = spark.sparkContext.statusTracker()

    def jobs(**options: Any) -> int:
        before = set(tracker.getJobIdsForGroup("sparkforge:raw"))
        builder = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=0.0, verbose=False, **options)
        assert builder.with_bronze_rules(name="raw", rules=RULES).to_pipeline().initial_load(
            bronze_sources={"raw": df}).success  # fmt: skip
        return len(set(tracker.getJobIdsForGroup("sparkforge:raw")) - before)

    jobs(quarantine=True)  # creates the quarantine table
    with_quarantine, without = jobs(quarantine=True), jobs()
    assert plans and all(leaves == ["InMemoryRelation"] for leaves in plans), plans
    # what one Delta append of such rows costs on its own, measured the same way
    rows = spark.table(f"{schema}.raw_quarantine").limit(3).localCheckpoint()
    quarantine.write_quarantine(spark, rows, f"{schema}.reference", app_id="ref", version=1)
    spark.sparkContext.setJobGroup("reference", "one append")
    before = set(tracker.getJobIdsForGroup("reference"))
    quarantine.write_quarantine(spark, rows, f"{schema}.reference", app_id="ref", version=2)
    one_append = len(set(tracker.getJobIdsForGroup("reference")) - before)
    print(f"jobs of step raw: {without} without quarantine, {with_quarantine} with; one append: {one_append}")
    assert with_quarantine - without == one_append, (with_quarantine, without, one_append)
