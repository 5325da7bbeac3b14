"""The data-quality report on real Spark + Delta: rates against thresholds and the top failing rules
of the last runs, read from the run log and the rules log; as text, Markdown and a chart."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from sparkforge import PipelineBuilder
from sparkforge.quality_report import run_report
from sparkforge_runtime.quality import (
    QualityReport,
    StepQuality,
    data_quality_report,
    format_quality,
    rule_history,
)

ROWS = [(1, 5), (2, None), (3, -1), (None, 0), (5, 7)]


def test_report_of_the_last_runs(spark: SparkSession, schema: str, tmp_path: Path) -> None:
    log = f"{schema}.pipeline_logs"
    builder = PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=50.0, verbose=False, log_table=log)
    runner = builder.with_bronze_rules(name="raw", rules={"id": ["not_null"], "qty": ["positive"]}).to_pipeline()
    for rows in (ROWS, ROWS[:2]):
        runner.initial_load(bronze_sources={"raw": spark.createDataFrame(rows, "id int, qty int")})
    report = data_quality_report(spark, log, runs=2)
    assert len(report.runs) == 2 and [s.input_rows for s in report.steps] == [5, 2]
    assert [(r.rule, r.failed_rows, r.input_rows) for r in report.rules] == [
        ("qty:positive", 4, 7), ("id:not_null", 1, 7)
    ]
    text = format_quality(report)
    assert "40.00 BELOW" in text and "qty:positive" in text.split("top failing rules:")[1]
    code, printed = run_report(spark, log, 1, markdown=tmp_path / "dq.md")
    assert code == 0 and "| raw | qty:positive | drop | 1 | 50.000 |" in (tmp_path / "dq.md").read_text()
    assert f"wrote {tmp_path / 'dq.md'}" in printed
    assert [round(rate, 1) for _, rate in rule_history(spark, log, "qty:positive")] == [60.0, 50.0]
    assert run_report(spark, f"{schema}.nothing", 1)[0] == 1


def test_a_skipped_step_has_no_rate_to_hold_to_a_threshold() -> None:
    at = datetime(2026, 1, 1)
    steps = (StepQuality("r", at, "incremental", "clean", "silver", 0, 100.0, 0.0, "skipped"),
             StepQuality("r", at, "incremental", "raw", "bronze", 4, 75.0, 80.0, "failed"))  # fmt: skip
    lines = format_quality(QualityReport("s.logs", ("r",), steps)).splitlines()
    assert [line.split()[-3:] for line in lines[3:5]] == [["-", "-", "skipped"], ["BELOW", "80.00", "failed"]]


def test_chart(spark: SparkSession, schema: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from sparkforge.quality_report import rule_chart

    path = rule_chart([(datetime(2026, 1, 1), 1.0), (datetime(2026, 1, 2), 2.5)], "qty:positive", tmp_path / "c.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


RUN_A_PIPELINE = """
import sys
from sparkforge import PipelineBuilder
from sparkforge_runtime.session import build_session
spark = build_session("report-test", master="local[1]", warehouse_dir=sys.argv[1])
rows = spark.createDataFrame([(1, 5), (2, None), (3, -1), (None, 0), (5, 7)], "id int, qty int")
builder = PipelineBuilder(spark=spark, schema="dq", min_bronze_rate=30.0, verbose=False, log_table="dq.logs")
runner = builder.with_bronze_rules(name="raw", rules={"id": ["not_null"], "qty": ["positive"]}).to_pipeline()
assert runner.initial_load(bronze_sources={"raw": rows}).success
"""


@pytest.mark.slow
def test_the_report_command_prints_the_report_and_no_spark_start_up_lines(tmp_path: Path) -> None:
    """`sparkforge report` in a terminal: the report alone, Spark's start-up lines kept in a file."""
    warehouse = tmp_path / "warehouse"
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    made = subprocess.run([sys.executable, "-c", RUN_A_PIPELINE, str(warehouse)], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert made.returncode == 0, made.stderr[-3000:]
    cli = Path(sys.executable).parent / "sparkforge"
    done = subprocess.run([str(cli), "report", "--log-table", "dq.logs", "--warehouse", str(warehouse)],
                          env=env, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "qty:positive" in done.stdout and "top failing rules:" in done.stdout
    assert done.stderr == "", done.stderr  # no "WARN NativeCodeLoader", "Using Spark's default log4j profile"
    assert "WARN" not in done.stdout and "log4j" not in done.stdout
