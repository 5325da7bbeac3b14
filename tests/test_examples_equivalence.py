"""Every example's compiled job, run by the real spark-submit, matches the interpreted runner.

For each folder in examples/ the raw inputs are written once as Parquet. Then each run goes on both
sides, in order: initial; incremental after a new batch is appended to the raw inputs; incremental
with no new rows (steps skip); incremental after a second batch whose rows fall into groups the
gold tables already hold (gold refreshed by groups); full-refresh; validation-only. The compiled side is the checked-in `job.py` under `spark-submit --master local[2]`
with a warehouse and Derby metastore of its own (the example's schema names are constants, so the
two sides cannot share a catalog); the interpreted side is `build(spark).to_pipeline()` on the shared
test session. The job runs in the background while the interpreted side runs.

After every mode both sides report the same steps, statuses, row counts and rates, and hold the same
tables (same columns and types; same rows, compared exactly, floats included: both sides run the
same code on the same files with the same partitioning). At the end the run logs are equal up to
run ids, times, durations, and the `engine` and `source_hash` columns.
"""

from __future__ import annotations

import inspect
import re
import time
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge.compiler.emit.runtime_zip import write_runtime_zip
from sparkforge.models import ExecutionResult, StepType
from sparkforge.validation import apply_column_rules
from sparkforge_runtime.plan import Step
from sparkforge_runtime.runlog import LOG_COLUMNS

from tests.support.jobs import (
    RunDirs,
    column_types,
    explain,
    finish_job,
    job_steps,
    load_module,
    read_table,
    sorted_rows,
    start_job,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MODES = ("initial", "incremental", "full-refresh", "validation-only")
# (mode, which batch is appended to the raw inputs first): the second incremental run has no new rows.
RUNS = (
    ("initial", None),
    ("incremental", "batch"),
    ("incremental", None),
    ("incremental", "second_batch"),
    ("full-refresh", None),
    ("validation-only", None),
)
LOGGED_RUNS = sum(1 for mode, _ in RUNS if mode != "validation-only")
# Log columns that legitimately differ between the two engines or between runs.
UNCOMPARED = frozenset(
    {"run_id", "run_started_at", "run_ended_at", "start_time", "end_time", "duration_secs"}
    | {"engine", "source_hash"}
)
COMPARED_LOG_COLUMNS = tuple(c for c in LOG_COLUMNS if c not in UNCOMPARED)

Inputs = Callable[[SparkSession, types.ModuleType], Mapping[str, DataFrame]]


@dataclass(frozen=True, slots=True)
class Example:
    """How to feed one example: its first load, the batch appended before the first incremental run,
    the one appended before the last (new rows in old groups), and an optional check of the
    interpreted side's tables after the first incremental run."""

    name: str
    initial: Inputs
    batch: Inputs
    second_batch: Inputs
    after_incremental: Callable[[SparkSession, Sides], None] | None = None


IOT_FIRST, IOT_BATCH = 300, 100


def iot_late_readings_are_loaded(spark: SparkSession, sides: Sides) -> None:
    """The incremental run keys on `ingested_at`: batch readings measured before the newest reading
    of the first load (late uploads) are appended all the same, none missing, none twice."""
    readings = spark.table(f"{sides.pipeline.SCHEMA}.readings")
    newest_first = readings.filter(F.col("reading_id") < IOT_FIRST).agg(F.max("event_ts")).first()
    batch = readings.filter(F.col("reading_id") >= IOT_FIRST)
    late = batch.filter(F.col("event_ts") < F.lit(newest_first[0]))  # type: ignore[index]
    assert late.count() > 0, "the batch should hold late readings"
    raw = sides.data.readings(spark, IOT_BATCH, first_id=IOT_FIRST)
    valid, _, _ = apply_column_rules(raw, sides.pipeline.READING_RULES, "bronze", "sensor_readings")
    assert batch.count() == valid.count()
    assert readings.count() == readings.select("reading_id").distinct().count()


EXAMPLE_INPUTS = {
    "ecommerce": Example(
        "ecommerce",
        initial=lambda spark, d: {
            "customers": d.customers(spark, 100),
            "orders": d.orders(spark, 300, customers=100),
        },
        batch=lambda spark, d: {"orders": d.orders(spark, 100, first_id=300, customers=100)},
        # one order a minute from 2025-01-01: still the first day, whose revenue row is refreshed
        second_batch=lambda spark, d: {"orders": d.orders(spark, 40, first_id=400, customers=100)},
    ),
    "iot": Example(
        "iot",
        initial=lambda spark, d: {
            "sensor_readings": d.readings(spark, IOT_FIRST),
            "devices": d.devices(spark),
        },
        batch=lambda spark, d: {
            "sensor_readings": d.readings(spark, IOT_BATCH, first_id=IOT_FIRST)
        },
        second_batch=lambda spark, d: {
            "sensor_readings": d.readings(spark, 40, first_id=IOT_FIRST + IOT_BATCH)
        },
        after_incremental=iot_late_readings_are_loaded,
    ),
    "tenants": Example(
        "tenants",
        initial=lambda spark, d: {
            "usage_events": d.usage_events(spark, 300),
            "accounts": d.accounts(spark),
        },
        batch=lambda spark, d: {"usage_events": d.usage_events(spark, 100, first_id=300)},
        second_batch=lambda spark, d: {"usage_events": d.usage_events(spark, 40, first_id=400)},
    ),
    "marketing": Example(
        "marketing",
        initial=lambda spark, d: {
            "ad_clicks": d.clicks(spark, 400),
            "campaigns": d.campaigns(spark),
            "crm_conversions": d.conversions(spark, 60),
        },
        batch=lambda spark, d: {
            "ad_clicks": d.clicks(spark, 100, first_id=400),
            "crm_conversions": d.conversions(spark, 15, first_id=60, clicks_seen=500),
        },
        second_batch=lambda spark, d: {
            "ad_clicks": d.clicks(spark, 40, first_id=500),
            "crm_conversions": d.conversions(spark, 6, first_id=75, clicks_seen=540),
        },
    ),
}


def test_every_example_has_inputs() -> None:
    """A new example folder needs its inputs here, or it would silently go untested."""
    folders = {p.parent.name for p in EXAMPLES.glob("*/pipeline.py")}
    assert folders == set(EXAMPLE_INPUTS)
    assert all((EXAMPLES / name / "job.py").is_file() for name in folders)


@dataclass(frozen=True, slots=True)
class Sides:
    """One example set up for both engines."""

    example: Example
    pipeline: types.ModuleType
    data: types.ModuleType
    job_path: Path
    job: types.ModuleType
    dirs: RunDirs
    runtime_zip: Path
    raw: Path

    @property
    def tables(self) -> list[str]:
        return sorted(s.table for s in job_steps(self.job) if s.writes)

    @property
    def schemas(self) -> list[str]:
        tables = [s.table for s in job_steps(self.job)] + [self.job.PIPELINE.log_table]
        return sorted({t.partition(".")[0] for t in tables})

    def source_path(self, name: str) -> Path:
        return self.raw / name

    def job_sources(self) -> dict[str, str]:
        return {name: f"parquet:{self.source_path(name)}" for name in self.bronze_names()}

    def bronze_names(self) -> list[str]:
        return sorted(s.name for s in job_steps(self.job) if s.layer == "bronze")


@pytest.fixture
def sides(spark: SparkSession, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Sides]:
    """The example's modules and job, its raw inputs, and its schemas (fresh) in the test session."""
    example: Example = request.param
    folder = EXAMPLES / example.name
    setup = Sides(
        example=example,
        pipeline=load_module(folder / "pipeline.py"),
        data=load_module(folder / "data.py"),
        job_path=folder / "job.py",
        job=load_module(folder / "job.py"),
        dirs=RunDirs(tmp_path / "submit"),
        runtime_zip=write_runtime_zip(tmp_path),
        raw=tmp_path / "raw",
    )
    for schema in setup.schemas:
        spark.sql(f"DROP SCHEMA IF EXISTS `{schema}` CASCADE")
        spark.sql(f"CREATE SCHEMA `{schema}`")  # `schema=` on a step must exist when declared
    yield setup
    for schema in setup.schemas:
        spark.sql(f"DROP SCHEMA IF EXISTS `{schema}` CASCADE")


def write_inputs(spark: SparkSession, sides: Sides, inputs: Inputs, mode: str) -> None:
    for name, df in inputs(spark, sides.data).items():
        df.write.mode(mode).parquet(str(sides.source_path(name)))


def run_interpreted(runner: Any, mode: str, sources: Mapping[str, DataFrame]) -> ExecutionResult:
    method = {
        "initial": runner.initial_load,
        "incremental": runner.run_incremental,
        "full-refresh": runner.run_full_refresh,
        "validation-only": runner.run_validation_only,
    }[mode]
    result: ExecutionResult = method(bronze_sources=sources)
    return result


SUMMARY_ROW = re.compile(
    r"^\s*\d+\s+(\S+)\s+(bronze|silver|gold)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+$"
)


def job_summary(stdout: str) -> list[tuple[str, ...]]:
    """(step, layer, status, rows in, valid %, written) from the table a job prints at the end."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line.lstrip().startswith("stage  step"))
    rows = []
    for line in lines[start + 1 :]:
        match = SUMMARY_ROW.match(line)
        if match is None:
            break
        rows.append(match.groups())
    return sorted(rows)


def interpreted_summary(result: ExecutionResult) -> list[tuple[str, ...]]:
    """The same columns from the runner's result, formatted as the job formats them."""
    rows = []
    for name, step in result.step_results.items():
        checked = step.validation_result
        assert checked is not None, name
        written = "-" if step.step_type is StepType.BRONZE else f"{step.rows_written:,}"
        rows.append(
            (
                name, step.step_type.value, step.status.value, f"{checked.total_rows:,}",
                f"{checked.validation_rate:.2f}", written,
            )
        )  # fmt: skip
    return sorted(rows)


def assert_same_tables(spark: SparkSession, sides: Sides, mode: str) -> None:
    for fqn in sides.tables:
        compiled = read_table(spark, sides.dirs, fqn)
        interpreted = spark.table(fqn)
        assert column_types(compiled) == column_types(interpreted), f"{fqn} after {mode}"
        compiled_rows, interpreted_rows = sorted_rows(compiled), sorted_rows(interpreted)
        assert interpreted_rows, f"{fqn} is empty after {mode}: the example should fill it"
        assert compiled_rows == interpreted_rows, f"{fqn} after {mode}"


def assert_same_logs(spark: SparkSession, sides: Sides) -> None:
    log_table = sides.job.PIPELINE.log_table
    compiled = read_table(spark, sides.dirs, log_table)
    interpreted = spark.table(log_table)
    assert {r[0] for r in compiled.select("engine").distinct().collect()} == {"compiled"}
    assert {r[0] for r in interpreted.select("engine").distinct().collect()} == {"interpreted"}
    # validation-only logs nothing
    assert compiled.select("run_id").distinct().count() == LOGGED_RUNS
    expected = sorted_rows(interpreted, COMPARED_LOG_COLUMNS)
    assert len(expected) == LOGGED_RUNS * len(job_steps(sides.job))
    assert sorted_rows(compiled, COMPARED_LOG_COLUMNS) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "sides", list(EXAMPLE_INPUTS.values()), ids=list(EXAMPLE_INPUTS), indirect=True
)
def test_compiled_job_matches_the_interpreted_runner(spark: SparkSession, sides: Sides) -> None:
    write_inputs(spark, sides, sides.example.initial, "overwrite")
    runner = sides.pipeline.build(spark).to_pipeline()
    timings = []
    for index, (mode, batch) in enumerate(RUNS):
        if batch is not None:
            write_inputs(spark, sides, getattr(sides.example, batch), "append")
        started = time.monotonic()
        process = start_job(
            sides.job_path, mode, sides.job_sources(), sides.dirs, py_files=sides.runtime_zip
        )
        try:  # the interpreted side runs while the job does
            paths = {n: str(sides.source_path(n)) for n in sides.bronze_names()}
            result = run_interpreted(
                runner, mode, {n: spark.read.parquet(p) for n, p in paths.items()}
            )
        finally:
            done = finish_job(process)  # never leave a JVM behind, even when the runner raises
        label = f"run {index + 1} ({mode}{', ' + batch if batch else ''})"
        timings.append(f"{label} {time.monotonic() - started:.0f}s")
        assert done.returncode == 0, explain(done)
        assert result.success, result.error_message
        assert job_summary(done.stdout) == interpreted_summary(result), label
        assert_same_tables(spark, sides, label)
        if batch == "batch" and sides.example.after_incremental is not None:
            sides.example.after_incremental(spark, sides)
        if mode == "incremental" and batch is None:
            assert_nothing_new_is_skipped(sides, result)
        if batch == "second_batch":
            assert_gold_refreshed_by_groups(sides, result)
    assert_same_logs(spark, sides)
    print(f"{sides.example.name}: " + ", ".join(timings))


def assert_nothing_new_is_skipped(sides: Sides, result: ExecutionResult) -> None:
    """With no new rows every step that may skip does (the others are the job's always-run steps)."""
    statuses = {name: step.status.value for name, step in result.step_results.items()}
    skipped = {name for name, status in statuses.items() if status == "skipped"}
    assert skipped, f"{sides.example.name}: nothing skipped in a run with no new rows: {statuses}"
    for name, step in result.step_results.items():
        if step.status.value == "skipped":
            assert step.note, f"{name} skipped without a reason"


def assert_gold_refreshed_by_groups(sides: Sides, result: ExecutionResult) -> None:
    """New rows in groups the gold tables already hold: every gold step the job refreshes by groups
    refreshed at least one group (the tables themselves are compared with the job's)."""
    steps = [v for v in vars(sides.job).values() if isinstance(v, Step) and v.info.layer == "gold"]
    by_groups = [s.name for s in steps if "run.changed_groups(" in inspect.getsource(s.function)]
    assert by_groups, f"{sides.example.name} has no gold step refreshed by groups"
    for name in by_groups:
        step = result.step_results[name]
        assert step.status.value == "completed", (name, step.status)
        assert step.groups_refreshed is not None and step.groups_refreshed >= 1, (name, step.note)


# --- example behaviour on the interpreted runner ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("sides", [EXAMPLE_INPUTS["iot"]], ids=["iot"], indirect=True)
def test_a_rerun_after_a_failed_step_loses_no_rows(spark: SparkSession, sides: Sides) -> None:
    """A registry export with a blank site fails `device_registry`, which cancels `site_readings`
    while `readings` appends the new batch. Once the export is fixed, the next incremental run must
    bring `site_readings` up to date: every reading in `readings` is in `site_readings`."""
    write_inputs(spark, sides, sides.example.initial, "overwrite")
    runner = sides.pipeline.build(spark).to_pipeline()
    readings, devices = (str(sides.source_path(n)) for n in ("sensor_readings", "devices"))
    assert runner.initial_load({"sensor_readings": readings, "devices": devices}).success

    write_inputs(spark, sides, sides.example.batch, "append")
    blank = F.when(F.col("device_id") == "dev-000", F.lit("  ")).otherwise(F.col("site"))
    broken = sides.data.devices(spark).withColumn("site", blank)
    failed = runner.run_incremental({"sensor_readings": readings, "devices": broken})
    assert failed.failed_steps == ["device_registry"]
    assert failed.step_results["readings"].rows_written > 0
    assert failed.step_results["site_readings"].status.value == "cancelled"

    assert runner.run_incremental({"sensor_readings": readings, "devices": devices}).success
    schema = sides.pipeline.SCHEMA
    in_readings = spark.table(f"{schema}.readings").select("reading_id")
    in_site_readings = spark.table(f"{schema}.site_readings").select("reading_id")
    assert sorted_rows(in_site_readings) == sorted_rows(in_readings)
