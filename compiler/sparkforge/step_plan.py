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

from sparkforge.ir import Layer, Pipeline, Step
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
    refresh: Refresh = field(default_factory=Refresh)  # incremental runs: when it skips, how gold is refreshed

    @property
    def layer(self) -> Layer:
        return self.step.layer

    @property
    def transform_input(self) -> str | None:
        """The bronze step a silver transform receives as `bronze_df`."""
        return self.step.source_bronze if self.layer is Layer.SILVER else None


def incremental_column(step: Step, pipeline: Pipeline) -> str | None:
    """The watermark column of a silver step that appends in incremental runs, else None."""
    if step.layer is not Layer.SILVER or step.existing or not step.source_bronze:
        return None
    bronze = pipeline.step(step.source_bronze)
    if bronze.layer is not Layer.BRONZE or not bronze.incremental_col:
        return None
    return step.watermark_col or bronze.incremental_col


def _writes(step: Step, pipeline: Pipeline) -> dict[str, str]:
    if step.layer is Layer.BRONZE or step.existing:
        return {}
    merge = step.write_mode is not None and step.write_mode.value == "merge"
    if step.layer is Layer.SILVER and incremental_column(step, pipeline):
        incremental = "merge" if merge else "append"
    else:
        incremental = "merge" if merge and step.layer is Layer.GOLD else "overwrite"
    return {"initial": "overwrite", "incremental": incremental, "full_refresh": "overwrite"}


def _info(step: Step, pipeline: Pipeline) -> StepInfo:
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


def _silver_inputs(step: Step, pipeline: Pipeline, appends: bool) -> tuple[Read, ...]:
    reads = []
    for name in dict.fromkeys((*step.source_silvers, *step.depends_on)):
        upstream = pipeline.step(name)
        column = incremental_column(upstream, pipeline)
        table = table_fqn(upstream, pipeline.settings)
        how = "since" if appends and column else "output"
        reads.append(Read(name, how, table, column if how == "since" else None))
    return tuple(reads)


def _gold_inputs(step: Step, pipeline: Pipeline) -> tuple[Read, ...]:
    reads = []
    for name in step.source_silvers:
        upstream = pipeline.step(name)
        how = "table" if upstream.existing else "whole"
        reads.append(Read(name, how, table_fqn(upstream, pipeline.settings)))
    return tuple(reads)


def plan_step(step: Step, pipeline: Pipeline) -> StepPlan:
    decided = _plan_step(step, pipeline)
    shape = StepShape(
        appends=decided.since is not None,
        incremental_write=decided.info.writes.get("incremental"),
        keep=decided.keep,
        whole=tuple(r.name for r in decided.inputs if r.how == "whole"),
        appending=lambda other: _writes(other, pipeline).get("incremental") == "append",
    )
    return replace(decided, refresh=plan_refresh(step, pipeline, shape))


def _plan_step(step: Step, pipeline: Pipeline) -> StepPlan:
    settings = pipeline.settings
    base = StepPlan(
        step, _info(step, pipeline), float(settings.threshold(step.layer)), keep_columns(step, settings)
    )
    if step.layer is Layer.BRONZE:
        readers = tuple(
            (table_fqn(s, settings), column)
            for s in pipeline.steps
            if s.source_bronze == step.name and (column := incremental_column(s, pipeline))
        )
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
