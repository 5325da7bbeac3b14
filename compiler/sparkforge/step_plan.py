"""Decide, once per step, what it does at run time: the rows it reads, its write per run mode.

Input: an `ir.Step` and its `ir.Pipeline`. Output: a `StepPlan`: the runtime's `StepInfo` (the
step's `@step(...)` line) and the arguments of the verbs its body calls. The compiler writes these
decisions into the job as literals; the interpreted runner passes the same values to the same verbs,
so the two paths cannot drift, and `--dry-run` reads the same `StepInfo`.

    Step("clean_orders", SILVER, source_bronze="orders")   (orders has incremental_col="ts")
    ->  StepPlan(info=StepInfo("silver", "clean_orders", "shop.clean_orders", ("orders",),
                 {"initial": "overwrite", "incremental": "append", "full_refresh": "overwrite"}),
                 since=("shop.clean_orders", "ts"), bronze_column="ts", ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sparkforge_runtime.plan import StepInfo

from sparkforge.ir import Layer, Pipeline, RuleSpec, Settings, Step
from sparkforge.quarantine_option import quarantine_table
from sparkforge.refresh_plan import Refresh, StepShape, plan_refresh
from sparkforge.step_fields import keep_columns, table_fqn

REPLACE = ("initial", "full_refresh")


@dataclass(frozen=True, slots=True)
class Read:
    """One input of a silver or gold step. `how`: `output` (this run's rows), `since` (an appending
    upstream's table, rows newer than the step's own watermark), `whole` (the table after this run's
    writes) or `table` (an existing table, as it is)."""

    name: str
    how: str
    table: str
    column: str | None = None


@dataclass(frozen=True, slots=True)
class StepPlan:
    step: Step
    info: StepInfo
    threshold: float
    keep: tuple[str, ...] | None
    watermark_column: str | None = None  # the column whose newest value validate records
    oldest_of: tuple[tuple[str, str], ...] = ()  # bronze: the silver watermarks bounding its read
    since: tuple[str, str] | None = None  # incremental silver: its table and watermark column
    bronze_column: str | None = None  # incremental silver: the bronze column filtered on
    inputs: tuple[Read, ...] = ()  # silver: prior silvers; gold: source silvers
    fail_on: tuple[str, ...] = ()  # labels of the rules whose action is `fail`: the gate names them
    quarantine: str | None = None  # the table the step's invalid rows are appended to
    evolve: bool = False  # schema_evolution: a write may change its table's schema
    refresh: Refresh = field(default_factory=Refresh)  # incremental runs: when it skips, how gold is refreshed

    @property
    def layer(self) -> Layer:
        return self.step.layer

    @property
    def transform_input(self) -> str | None:
        """The bronze step a silver transform receives as `bronze_df`."""
        return self.step.source_bronze if self.layer is Layer.SILVER else None


class _Steps(dict[str, Step]):
    """The pipeline's steps by name: look-ups in a big pipeline stay O(1)."""

    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__((s.name, s) for s in pipeline.steps)
        self.pipeline = pipeline

    def step(self, name: str) -> Step:
        return self[name]

    @property
    def settings(self) -> Settings:
        return self.pipeline.settings


def incremental_column(step: Step, pipeline: Pipeline | _Steps) -> str | None:
    """The watermark column of a silver step that appends in incremental runs, else None."""
    if step.layer is not Layer.SILVER or step.existing or not step.source_bronze:
        return None
    bronze = pipeline.step(step.source_bronze)
    if bronze.layer is not Layer.BRONZE or not bronze.incremental_col:
        return None
    return step.watermark_col or bronze.incremental_col


def _writes(step: Step, pipeline: _Steps) -> dict[str, str]:
    if step.layer is Layer.BRONZE or step.existing:
        return {}
    merge = step.write_mode is not None and step.write_mode.value == "merge"
    if step.layer is Layer.SILVER and incremental_column(step, pipeline):
        incremental = "merge" if merge else "append"
    else:
        incremental = "merge" if merge and step.layer is Layer.GOLD else "overwrite"
    return {"initial": "overwrite", "incremental": incremental, "full_refresh": "overwrite"}


def _info(step: Step, pipeline: _Steps) -> StepInfo:
    writes = _writes(step, pipeline)
    return StepInfo(
        layer=step.layer.value,
        name=step.name,
        table=table_fqn(step, pipeline.settings),
        after=tuple(step.upstream),
        writes=writes,
        merge_keys=tuple(step.merge_keys) if "merge" in writes.values() else (),
        watermark=step.incremental_col if step.layer is Layer.BRONZE else None,
    )


def _silver_inputs(step: Step, pipeline: _Steps, appends: bool) -> tuple[Read, ...]:
    reads = []
    for name in dict.fromkeys((*step.source_silvers, *step.depends_on)):
        upstream = pipeline.step(name)
        column = incremental_column(upstream, pipeline)
        table = table_fqn(upstream, pipeline.settings)
        how = "since" if appends and column else "output"
        reads.append(Read(name, how, table, column if how == "since" else None))
    return tuple(reads)


def _gold_inputs(step: Step, pipeline: _Steps) -> tuple[Read, ...]:
    reads = []
    for name in step.source_silvers:
        upstream = pipeline.step(name)
        how = "table" if upstream.existing else "whole"
        reads.append(Read(name, how, table_fqn(upstream, pipeline.settings)))
    return tuple(reads)


def plan_steps(pipeline: Pipeline) -> dict[str, StepPlan]:
    """The decisions for every step of the pipeline, by step name."""
    steps = _Steps(pipeline)
    readers: dict[str, list[tuple[str, str]]] = {}
    for s in pipeline.steps:
        column = incremental_column(s, steps)
        if column and s.source_bronze:
            readers.setdefault(s.source_bronze, []).append((table_fqn(s, pipeline.settings), column))
    decided = {s.name: _plan(s, steps, tuple(readers.get(s.name, ()))) for s in pipeline.steps}
    return {name: _with_refresh(d, pipeline, steps) for name, d in decided.items()}


def _with_refresh(decided: StepPlan, pipeline: Pipeline, steps: _Steps) -> StepPlan:
    """When an incremental run may skip the step, and how a gold step is refreshed."""
    shape = StepShape(
        appends=decided.since is not None,
        incremental_write=decided.info.writes.get("incremental"),
        keep=decided.keep,
        whole=tuple(r.name for r in decided.inputs if r.how == "whole"),
        appending=lambda other: _writes(other, steps).get("incremental") == "append",
    )
    refresh = plan_refresh(decided.step, pipeline, shape)
    info = replace(decided.info, refresh_by=refresh.group_keys) if refresh.by_groups else decided.info
    return replace(decided, refresh=refresh, info=info)


def fail_labels(rules: tuple[RuleSpec, ...]) -> tuple[str, ...]:
    """The labels, numbered like `sparkforge_runtime.rules.rule_labels` (a repeat gets `#2`), of the
    rules whose action is `fail` (each has a known label: a Column rule needs a name to fail)."""
    seen: dict[str, int] = {}
    found = []
    for rule in rules:
        if rule.label is None:
            continue
        seen[rule.label] = seen.get(rule.label, 0) + 1
        if rule.action == "fail":
            found.append(rule.label if seen[rule.label] == 1 else f"{rule.label}#{seen[rule.label]}")
    return tuple(found)


def plan_step(step: Step, pipeline: Pipeline) -> StepPlan:
    """The decisions for one step (`plan_steps` decides a whole pipeline in one pass)."""
    return plan_steps(pipeline)[step.name]


def _plan(step: Step, pipeline: _Steps, readers: tuple[tuple[str, str], ...]) -> StepPlan:
    settings = pipeline.settings
    base = StepPlan(
        step, _info(step, pipeline), float(settings.threshold(step.layer)), keep_columns(step, settings),
        fail_on=fail_labels(step.rules), quarantine=quarantine_table(step, settings),
        evolve=step.schema_evolution,
    )
    if step.layer is Layer.BRONZE:
        return replace(base, watermark_column=step.incremental_col, oldest_of=readers)
    if step.layer is Layer.GOLD:
        return replace(base, inputs=_gold_inputs(step, pipeline))
    if step.existing:
        return base
    column = incremental_column(step, pipeline)
    bronze = pipeline.step(step.source_bronze) if step.source_bronze else None
    return replace(
        base,
        watermark_column=column,
        since=(base.info.table, column) if column else None,
        bronze_column=bronze.incremental_col if column and bronze else None,
        inputs=_silver_inputs(step, pipeline, appends=column is not None),
    )
