"""What a job says it does, what `--dry-run` prints and what the engine does are one fact.

A pipeline with every write mode (a silver step that appends, one that merges, one recomputed, a
gold step that merges, one refreshed by groups and one that overwrites) is compiled; for each run mode, the `@step(...)`
declarations, the dry-run lines and the `write_mode` of the run log rows of a real run agree. Jobs
are black-clean as black itself is configured where they are written.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sparkforge.compiler.api import CompileOptions, compile_source
from sparkforge.compiler.emit.format_source import mode_for
from sparkforge_runtime.plan import Mode, Plan, Step
from sparkforge_runtime.report import action, format_plan

from tests.support.jobs import job_steps

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "sf_write_modes"
PIPELINE = f'''
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def latest(spark, bronze_df, prior_silvers):
    return bronze_df.dropDuplicates(["user_id"])


def events(spark, bronze_df, prior_silvers):
    return bronze_df


def plans(spark, bronze_df, prior_silvers):
    return bronze_df


def per_user(spark, silvers):
    return silvers["events"].groupBy("user_id").agg(F.count("*").alias("n"))


def by_user(spark, silvers):
    return silvers["events"].groupBy("user_id").agg(F.max("ts").alias("last_seen"))


def totals(spark, silvers):
    return silvers["events"].agg(F.count("*").alias("n"))


def build(spark):
    return (
        PipelineBuilder(spark=spark, schema="{SCHEMA}", min_gold_rate=50.0)
        .with_bronze_rules(name="updates", rules={{"user_id": ["not_null"]}}, incremental_col="ts")
        .with_bronze_rules(name="plan_rows", rules={{"user_id": ["not_null"]}})
        .add_silver_transform(name="profiles", source_bronze="updates", transform=latest,
                              rules={{"user_id": ["not_null"]}}, table_name="profiles",
                              write_mode="merge", merge_keys=["user_id"],
                              filter_columns_by_rules=False)
        .add_silver_transform(name="events", source_bronze="updates", transform=events,
                              rules={{"user_id": ["not_null"]}}, table_name="events",
                              filter_columns_by_rules=False)
        .add_silver_transform(name="plans", source_bronze="plan_rows", transform=plans,
                              rules={{"user_id": ["not_null"]}}, table_name="plans")
        .add_gold_transform(name="per_user", source_silvers=["events"], transform=per_user,
                            rules={{"user_id": ["not_null"]}}, table_name="per_user",
                            write_mode="merge", merge_keys=["user_id"])
        .add_gold_transform(name="by_user", source_silvers=["events"], transform=by_user,
                            rules={{"user_id": ["not_null"], "last_seen": []}}, table_name="by_user")
        .add_gold_transform(name="totals", source_silvers=["events"], transform=totals,
                            rules={{"n": ["non_negative"]}}, table_name="totals")
    )
'''
EXPECTED = {  # step -> write per run mode; validation-only writes nothing
    "profiles": {"initial": "overwrite", "incremental": "merge", "full_refresh": "overwrite"},
    "events": {"initial": "overwrite", "incremental": "append", "full_refresh": "overwrite"},
    "plans": {"initial": "overwrite", "incremental": "overwrite", "full_refresh": "overwrite"},
    "per_user": {"initial": "overwrite", "incremental": "merge", "full_refresh": "overwrite"},
    "totals": {"initial": "overwrite", "incremental": "overwrite", "full_refresh": "overwrite"},
    # refreshed by groups: an incremental run merges the groups its new rows touch
    "by_user": {"initial": "overwrite", "incremental": "merge", "full_refresh": "overwrite"},
}


@pytest.fixture(scope="module")
def job(tmp_path_factory: Any) -> types.ModuleType:
    folder = tmp_path_factory.mktemp("write_modes")
    result = compile_source(PIPELINE, "pipeline.py")
    assert result.ok and result.source is not None, result.diagnostics
    (folder / "job.py").write_text(result.source)
    spec = importlib.util.spec_from_file_location("write_modes_job", folder / "job.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_declarations_and_dry_run_state_every_write_mode(job: types.ModuleType) -> None:
    declared = {info.name: dict(info.writes) for info in job_steps(job) if info.layer != "bronze"}
    assert declared == {**EXPECTED, "by_user": {**EXPECTED["by_user"], "incremental": "overwrite"}}
    refreshed = {info.name: info.refresh_by for info in job_steps(job) if info.refresh_by}
    assert refreshed == {"by_user": ("user_id",)}  # it overwrites only when it cannot tell the groups
    for info in job_steps(job):
        if info.layer == "bronze":
            continue
        for mode in Mode:
            write = EXPECTED[info.name].get(mode.value)
            expected = f"validates {info.table}, writes nothing" if write is None else write
            assert action(info, mode).startswith(expected), (info.name, mode)
    plan = Plan(tuple((s,) for s in vars(job).values() if isinstance(s, Step)))
    text = format_plan(job.PIPELINE, plan, Mode.INCREMENTAL, {})
    assert f"merge on user_id -> {SCHEMA}.per_user" in text
    assert f"append -> {SCHEMA}.events" in text
    assert f"merge changed groups on user_id -> {SCHEMA}.by_user (else overwrite)" in text


def _rows(spark: Any, first: int, count: int) -> Any:
    start = datetime(2026, 1, 1)
    data = [(i % 7, start + timedelta(minutes=i)) for i in range(first, first + count)]
    return spark.createDataFrame(data, "user_id int, ts timestamp")


def test_the_engine_writes_what_the_job_says(spark: Any, job: types.ModuleType, tmp_path: Path) -> None:
    spark.sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    _rows(spark, 0, 20).write.mode("overwrite").parquet(str(tmp_path / "updates"))
    _rows(spark, 0, 5).write.mode("overwrite").parquet(str(tmp_path / "plans"))
    sources = ["--source", f"updates=parquet:{tmp_path / 'updates'}",
               "--source", f"plan_rows=parquet:{tmp_path / 'plans'}"]  # fmt: skip
    try:
        for mode in ("initial", "incremental", "full-refresh", "validation-only"):
            if mode == "incremental":
                _rows(spark, 20, 10).write.mode("append").parquet(str(tmp_path / "updates"))
            assert job.main(["--mode", mode, "--log-level", "WARNING", *sources]) == 0
        rows = spark.table(f"{SCHEMA}.pipeline_logs").collect()
        seen = {(r["run_mode"], r["step_name"]): r["write_mode"] for r in rows}
        for step, writes in EXPECTED.items():
            for mode, write in writes.items():
                assert seen[(mode, step)] == write, (mode, step)
        assert {r["run_mode"] for r in rows} == {"initial", "incremental", "full_refresh"}
        assert spark.table(f"{SCHEMA}.events").count() == 30
        assert spark.table(f"{SCHEMA}.profiles").count() == 7
    finally:
        spark.sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _black_check(folder: Path) -> subprocess.CompletedProcess[str]:
    black = [sys.executable, "-m", "black", "--check", "--quiet", "job.py"]
    return subprocess.run(black, cwd=folder, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("configured", [None, 100, 120])
def test_jobs_are_black_clean_where_they_are_written(tmp_path: Path, configured: int | None) -> None:
    """In an empty folder with black's defaults, and under a pyproject.toml that sets a length."""
    folder = tmp_path / "project" / "jobs"
    folder.mkdir(parents=True)
    if configured is not None:
        (tmp_path / "project" / "pyproject.toml").write_text(f"[tool.black]\nline-length = {configured}\n")
    mode = mode_for(folder / "job.py")
    assert mode.line_length == (configured or 88)
    text = (ROOT / "examples" / "marketing" / "pipeline.py").read_text()
    options = CompileOptions(black_mode=mode, base_dir=str(ROOT / "examples" / "marketing"))
    result = compile_source(text, str(ROOT / "examples" / "marketing" / "pipeline.py"), options)
    assert result.ok and result.source is not None
    (folder / "job.py").write_text(result.source)
    done = _black_check(folder)
    assert done.returncode == 0, done.stderr
    default = compile_source(text, str(ROOT / "examples" / "marketing" / "pipeline.py"),
                             CompileOptions(base_dir=str(ROOT / "examples" / "marketing")))  # fmt: skip
    assert (default.source == result.source) is (configured is None)
