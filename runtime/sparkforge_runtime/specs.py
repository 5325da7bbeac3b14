"""What one step is at run time, and what happened when it ran.

Input: values a compiled job writes out literally, or that the interpreted runner derives from the
pipeline model. Output: `StepSpec` (declaration) and `StepOutcome` (measurement).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame

from sparkforge_runtime.rules import Rule


class Mode(enum.StrEnum):
    INITIAL = "initial"
    INCREMENTAL = "incremental"
    FULL_REFRESH = "full_refresh"
    VALIDATION_ONLY = "validation_only"

    @classmethod
    def parse(cls, text: str) -> Mode:
        return cls(text.replace("-", "_"))


class Status(enum.StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True, eq=False)
class StepSpec:
    """One step, ready to run. `table` is the bronze default source or the silver/gold target."""

    name: str
    layer: str
    rules: tuple[Rule, ...]
    threshold: float
    table: str
    transform: Callable[..., Any] | None = None
    source_bronze: str | None = None
    source_silvers: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    incremental_col: str | None = None
    watermark_col: str | None = None
    write_mode: str = "overwrite"
    merge_keys: tuple[str, ...] = ()
    keep_columns: tuple[str, ...] | None = None
    table_format: str = "delta"
    existing: bool = False

    @property
    def upstream(self) -> tuple[str, ...]:
        names = (self.source_bronze, *self.source_silvers, *self.depends_on)
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(slots=True)
class StepOutcome:
    """Measured result of one step in one run: the source of its log row."""

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
    # The newest watermark as Spark itself prints it (session time zone): what incremental silver
    # steps record in their table's commit, and compare against on the next run.
    high_water: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    output: DataFrame | None = field(default=None, repr=False)

    @property
    def duration_secs(self) -> float:
        return max(0.0, self.end_time - self.start_time)

    @property
    def validation_rate(self) -> float:
        return 100.0 if self.input_rows == 0 else self.valid_rows * 100.0 / self.input_rows

    @property
    def validation_passed(self) -> bool:
        return self.status is Status.COMPLETED

    @property
    def ok(self) -> bool:
        return self.status is Status.COMPLETED
