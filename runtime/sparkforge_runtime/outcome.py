"""What happened when steps ran: one `StepOutcome` per step, one `RunReport` per run.

Input: the measurements the verbs record. Output: the source of progress lines, the summary, the
run log's rows and the interpreted runner's result objects.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from pyspark.sql import DataFrame

from sparkforge_runtime.plan import Mode
from sparkforge_runtime.rulecounts import RuleCount


class Status(enum.StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # incremental run, inputs unchanged: nothing read or written


@dataclass(slots=True)
class StepOutcome:
    name: str
    layer: str
    stage_index: int
    status: Status = Status.COMPLETED
    start_time: float = 0.0
    end_time: float = 0.0
    table_fqn: str | None = None
    write_mode: str | None = None
    input_rows: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    rows_written: int = 0
    threshold: float = 0.0
    previous_watermark: str | None = None
    new_watermark: str | None = None
    high_water: str | None = None  # a bronze step's newest incremental value: what silvers record
    counted: bool = False  # validation counted its rows (a step can fail before that)
    error_type: str | None = None
    error_message: str | None = None
    rule_counts: tuple[RuleCount, ...] = ()  # one per rule, in rule order, zeros included
    quarantine_table: str | None = None
    quarantined_rows: int = 0
    error_trace: str | None = field(default=None, repr=False)  # shown under --verbose
    note: str | None = None  # why it was skipped, or how gold was refreshed (groups.py)
    groups_refreshed: int | None = None  # gold refreshed by groups: how many
    output: DataFrame | None = field(default=None, repr=False)

    @property
    def duration_secs(self) -> float:
        return max(0.0, self.end_time - self.start_time)

    @property
    def validation_rate(self) -> float:
        return 100.0 if self.input_rows == 0 else self.valid_rows * 100.0 / self.input_rows

    @property
    def rule_failures(self) -> dict[str, int]:
        """Rule label -> rows that failed it."""
        return {r.label: r.failed_rows for r in self.rule_counts}

    @property
    def validation_passed(self) -> bool:
        return self.ok

    @property
    def ok(self) -> bool:
        return self.status in (Status.COMPLETED, Status.SKIPPED)


@dataclass(slots=True)
class RunReport:
    run_id: str
    mode: Mode
    started_at: datetime
    ended_at: datetime | None = None
    outcomes: dict[str, StepOutcome] = field(default_factory=dict)
    max_concurrency: int = 0
    log_error: str | None = None  # the run log could not be written (the steps' outcomes stand)

    @property
    def success(self) -> bool:
        return all(o.ok for o in self.outcomes.values())

    @property
    def failed_steps(self) -> list[str]:
        return [n for n, o in self.outcomes.items() if o.status is Status.FAILED]

    @property
    def error_message(self) -> str | None:
        errors = [o.error_message for o in self.outcomes.values() if o.status is Status.FAILED]
        return "; ".join(e for e in errors if e) or None
