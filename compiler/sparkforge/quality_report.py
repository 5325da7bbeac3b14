"""`sparkforge report`: the data-quality report of a run log, in the terminal, as Markdown, as a chart.

Input: the run-log table, the number of runs, a warehouse folder for the local session, and
optionally a Markdown file, and a rule (and PNG path) to chart. Output: the report text on stdout, the
files written, an exit code (0, or 1 when the log table does not exist). The report itself is
`sparkforge_runtime.quality`; this module starts Spark and draws the chart (matplotlib, the optional
`bench` extra).

    sparkforge report --log-table shop.pipeline_logs --runs 5 --warehouse .work/demo --markdown dq.md
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pyspark.sql import SparkSession
from sparkforge_runtime.failures import describe
from sparkforge_runtime.quality import data_quality_report, format_quality, rule_history
from sparkforge_runtime.session import build_session
from sparkforge_runtime.tables import table_exists


def rule_chart(points: Sequence[tuple[datetime, float]], rule: str, path: Path) -> Path:
    """A PNG of one rule's failure rate per run (needs matplotlib: `pip install sparkforge[bench]`)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise RuntimeError("the chart needs matplotlib: pip install 'sparkforge[bench]'") from exc
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o")  # type: ignore[arg-type,unused-ignore]
    ax.set_title(f"failure rate of {rule}")
    ax.set_ylabel("% of rows failing")
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run_report(spark: SparkSession, log_table: str, runs: int, markdown: Path | None = None,
               chart_rule: str | None = None, chart: Path | None = None) -> tuple[int, str]:  # fmt: skip
    """(exit code, text to print)."""
    if not table_exists(spark, log_table):
        return 1, f"no run log {log_table}: run the pipeline with that log table first"
    report = data_quality_report(spark, log_table, runs)
    text = format_quality(report)
    if markdown is not None:
        markdown.write_text(format_quality(report, markdown=True))
        text += f"\n\nwrote {markdown}"
    if chart_rule is not None:
        path = chart or Path(f"{chart_rule.replace(':', '_').replace(' ', '_')}.png")
        rule_chart(rule_history(spark, log_table, chart_rule, runs=max(runs, 2)), chart_rule, path)
        text += f"\nwrote {path}"
    return 0, text


def report_command(log_table: str, runs: int, warehouse: Path | None, markdown: Path | None,
                   chart_rule: str | None, chart: Path | None) -> tuple[int, str]:  # fmt: skip
    log = Path(tempfile.gettempdir()) / f"sparkforge-report-{os.getpid()}.log"
    with spark_output_to(log):
        spark = build_session("sparkforge:report", warehouse_dir=warehouse)
    try:
        return run_report(spark, log_table, runs, markdown, chart_rule, chart)
    except Exception as exc:
        return 1, f"the report failed: {describe(exc)} (Spark's own log: {log})"


@contextmanager
def spark_output_to(log: Path) -> Iterator[None]:
    """The JVM that a local session starts inherits this process's stderr for its whole life: point
    it at `log` while the session starts, so that what the command prints is the report, not Spark's
    start-up lines and warnings (they are in `log`)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log, "ab") as target:
        os.dup2(target.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
