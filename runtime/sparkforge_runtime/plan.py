"""What a job declares: its pipeline, its steps, and the stages they run in. Plain values only.

Input: the literals a compiled job writes (or the interpreted runner derives from the builder).
Output: `Pipeline`, `Step` (a step function with its `StepInfo`) and `Plan` (the stages), which the
scheduler runs and `--dry-run` prints. Each fact has one home: a step's table, upstream steps and
write mode per run mode live in its `@step(...)` line; the stages live in `main()`.

    @step("silver", "clean", table="shop.clean", after=("orders",), writes={"initial": "overwrite"})
    def silver_clean(run: StepRun) -> DataFrame: ...
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# A step function takes the step's `verbs.StepRun` and returns its valid rows (a DataFrame).
StepFunction = Callable[[Any], Any]


class Mode(enum.StrEnum):
    INITIAL = "initial"
    INCREMENTAL = "incremental"
    FULL_REFRESH = "full_refresh"
    VALIDATION_ONLY = "validation_only"

    @classmethod
    def parse(cls, text: str) -> Mode:
        return cls(text.replace("-", "_"))


@dataclass(frozen=True, slots=True)
class StepInfo:
    """What a step reads and writes. `writes` maps a run mode to overwrite/append/merge; a mode it
    does not name (validation-only always) writes nothing."""

    layer: str
    name: str
    table: str
    after: tuple[str, ...] = ()
    writes: Mapping[str, str] = field(default_factory=dict)
    merge_keys: tuple[str, ...] = ()
    watermark: str | None = None  # bronze: in incremental runs it reads rows newer than this column
    refresh_by: tuple[str, ...] = ()  # gold: incremental runs merge only the groups new rows touch
    source: str | None = None  # `pipeline.py:LINE` declaring the step, when no job line says it

    def write_mode(self, mode: Mode) -> str | None:
        return self.writes.get(mode.value)


@dataclass(frozen=True, slots=True, eq=False)
class Step:
    info: StepInfo
    function: StepFunction

    @property
    def name(self) -> str:
        return self.info.name


def step(
    layer: str,
    name: str,
    *,
    table: str,
    after: tuple[str, ...] = (),
    initial: str | None = None,
    incremental: str | None = None,
    full_refresh: str | None = None,
    merge_keys: tuple[str, ...] = (),
    watermark: str | None = None,
    refresh_by: tuple[str, ...] = (),
) -> Callable[[StepFunction], Step]:
    """Declare a step function with its write mode per run mode (none: it writes nothing then):
    `@step("gold", "revenue", table="shop.revenue", after=("clean",), initial="overwrite", ...)`."""
    modes = {"initial": initial, "incremental": incremental, "full_refresh": full_refresh}
    writes = MappingProxyType({k: v for k, v in modes.items() if v})
    info = StepInfo(layer, name, table, tuple(after), writes, tuple(merge_keys), watermark, tuple(refresh_by))
    return lambda function: Step(info, function)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The job's identity and run-wide settings."""

    name: str
    log_table: str | None = None
    table_format: str = "delta"
    source: str = "pipeline.py"
    source_hash: str = ""
    compiled_with: str = "0.0.0"
    runtime_requires: str = ">=0.0.0"
    script: str = "job.py"


@dataclass(frozen=True, slots=True)
class Plan:
    """The stages in dependency order; the steps of a stage may run side by side."""

    stages: tuple[tuple[Step, ...], ...]
    parallel: bool = True
    max_workers: int = 4
    unified: bool = False  # a step starts as soon as its own upstream steps are done

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for stage in self.stages for s in stage)

    def stage_of(self) -> dict[str, int]:
        return {s.name: i for i, stage in enumerate(self.stages, start=1) for s in stage}

    def dependents(self, name: str) -> tuple[str, ...]:
        """Every step that needs `name`, directly or through others: what its failure cancels."""
        found: list[str] = []
        for s in self.steps:  # stages are in dependency order, so one pass sees every chain
            if any(u == name or u in found for u in s.info.after):
                found.append(s.name)
        return tuple(found)

    def only(self, names: frozenset[str] | None) -> Plan:
        if names is None:
            return self
        kept = (tuple(s for s in stage if s.name in names) for stage in self.stages)
        return Plan(tuple(st for st in kept if st), self.parallel, self.max_workers, self.unified)

    def replace(self, **changes: Any) -> Plan:
        values = {f: getattr(self, f) for f in ("stages", "parallel", "max_workers", "unified")}
        return Plan(**{**values, **changes})
