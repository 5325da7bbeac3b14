"""The data-quality report: what the run log and the rules log say about the last runs.

Input: a SparkSession, the run-log table (its rules log is `<log_table>_rules`), how many runs.
Output: a `QualityReport` (per run and step: rows, valid rate against threshold, status; the top
failing rules with counts), as terminal text or Markdown, and a rule's failure rate per run for a
chart. Two small reads of the log tables; the pipeline's own tables are not touched.

    data_quality_report(spark, "shop.pipeline_logs", runs=2)
    ->  QualityReport(steps=[StepQuality(run_id, "orders", 200000, 98.1, 90.0, "completed", ...)],
                      rules=[RuleQuality("orders", "quantity:gt(0)", "drop", 2012, 200000), ...])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from sparkforge_runtime.rulelog import rules_table
from sparkforge_runtime.tables import table_exists


@dataclass(frozen=True, slots=True)
class StepQuality:
    run_id: str
    run_started_at: datetime
    run_mode: str
    step: str
    layer: str
    input_rows: int
    validation_rate: float
    threshold: float
    status: str


@dataclass(frozen=True, slots=True)
class RuleQuality:
    step: str
    rule: str
    action: str
    failed_rows: int  # summed over the runs of the report
    input_rows: int

    @property
    def rate(self) -> float:
        return 0.0 if self.input_rows == 0 else self.failed_rows * 100.0 / self.input_rows


@dataclass(frozen=True, slots=True)
class QualityReport:
    log_table: str
    runs: tuple[str, ...]
    steps: tuple[StepQuality, ...] = ()
    rules: tuple[RuleQuality, ...] = field(default=())  # failing rules, most failed rows first


def last_runs(spark: SparkSession, log_table: str, runs: int) -> list[str]:
    """The ids of the newest `runs` runs in the log, newest first."""
    rows = (spark.table(log_table).groupBy("run_id").agg(F.max("run_started_at").alias("at"))
            .orderBy(F.col("at").desc(), "run_id").limit(runs).collect())  # fmt: skip
    return [r["run_id"] for r in rows]


def data_quality_report(spark: SparkSession, log_table: str, runs: int = 1) -> QualityReport:
    """Steps of the last `runs` runs with their rate against threshold; their failing rules."""
    ids = last_runs(spark, log_table, runs)
    if not ids:
        return QualityReport(log_table, ())
    log = spark.table(log_table).filter(F.col("run_id").isin(ids))
    steps = tuple(
        StepQuality(r["run_id"], r["run_started_at"], r["run_mode"], r["step_name"], r["phase"],
                    r["input_rows"], r["validation_rate"], r["threshold"], r["status"])
        for r in log.orderBy("run_started_at", "stage_index", "step_name").collect()
    )  # fmt: skip
    return QualityReport(log_table, tuple(ids), steps, _rules(spark, log_table, ids))


def _rules(spark: SparkSession, log_table: str, ids: Sequence[str]) -> tuple[RuleQuality, ...]:
    table = rules_table(log_table)
    if not table_exists(spark, table):
        return ()
    grouped = (spark.table(table).filter(F.col("run_id").isin(list(ids)))
               .groupBy("step_name", "rule", "action")
               .agg(F.sum("failed_rows").alias("failed"), F.sum("input_rows").alias("rows"))
               .filter(F.col("failed") > 0)
               .orderBy(F.col("failed").desc(), "step_name", "rule").collect())  # fmt: skip
    return tuple(RuleQuality(r["step_name"], r["rule"], r["action"], int(r["failed"]), int(r["rows"])) for r in grouped)


def rule_history(spark: SparkSession, log_table: str, rule: str, step: str | None = None,
                 runs: int = 20) -> list[tuple[datetime, float]]:  # fmt: skip
    """(run start, failure rate %) of one rule over the last `runs` runs, oldest first."""
    rows = spark.table(rules_table(log_table)).filter(F.col("rule") == rule)
    if step is not None:
        rows = rows.filter(F.col("step_name") == step)
    points = (rows.groupBy("run_id").agg(F.min("run_started_at").alias("at"), F.sum("failed_rows").alias("f"),
                                         F.sum("input_rows").alias("n"))
              .orderBy(F.col("at").desc()).limit(runs).collect())  # fmt: skip
    return sorted((r["at"], 0.0 if not r["n"] else r["f"] * 100.0 / r["n"]) for r in points)


def format_quality(report: QualityReport, top: int = 10, markdown: bool = False) -> str:
    """The report as aligned text for a terminal, or as Markdown tables."""
    if not report.runs:
        return f"no runs in {report.log_table}"
    steps = [("run started", "mode", "step", "layer", "rows in", "valid %", "threshold %", "status")]
    for s in report.steps:
        mark = "" if s.validation_rate >= s.threshold else " BELOW"
        rate, threshold = f"{s.validation_rate:.2f}{mark}", f"{s.threshold:.2f}"
        if s.status in ("skipped", "cancelled"):  # validated nothing: no rate to hold to a threshold
            rate = threshold = "-"
        steps.append((f"{s.run_started_at:%Y-%m-%d %H:%M:%S}", s.run_mode, s.step, s.layer, f"{s.input_rows:,}",
                      rate, threshold, s.status))  # fmt: skip
    rules = [("step", "rule", "action", "failed rows", "rate %")]
    rules += [(r.step, r.rule, r.action, f"{r.failed_rows:,}", f"{r.rate:.3f}") for r in report.rules[:top]]
    title = f"data quality of the last {len(report.runs)} run(s) in {report.log_table}"
    if markdown:
        return "\n".join([f"# {title}", "", "## Steps", "", _markdown(steps), "",
                          "## Top failing rules", "", _markdown(rules) if len(rules) > 1 else "none", ""])  # fmt: skip
    failing = _text(rules) if len(rules) > 1 else "no rule failed any row"
    return "\n".join([title, "", _text(steps), "", "top failing rules:", failing])


def _text(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def _markdown(rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows[1:]]
    return "\n".join(lines)
