"""Step functions for the interpreted runner: the body a compiled job writes, as a closure.

Input: an `ir.Plan` (stages of a builder's pipeline). Output: the runtime's `Pipeline` and `Plan`,
whose step functions call the same verbs, in the same order and with the same `StepPlan` values, as
the functions `emit_steps` writes into a job. Read one of those next to `run_step` below.

    run_plan(spark, *runtime_plan(plan), options)  # what PipelineRunner does
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pyspark.sql import DataFrame
from sparkforge_runtime.plan import Pipeline as RuntimePipeline
from sparkforge_runtime.plan import Plan as RuntimePlan
from sparkforge_runtime.plan import Step as RuntimeStep
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

from sparkforge.ir import Layer, Plan
from sparkforge.refresh_plan import skip_reason
from sparkforge.rules import to_runtime_rules
from sparkforge.step_fields import log_table
from sparkforge.step_plan import Read, StepPlan, plan_steps


def _input(run: StepRun, read: Read, since: Any, groups: Any = None) -> DataFrame:
    if read.how == "since":
        return run.rows_since(read.name, read.table, read.column or "", since)
    if read.how == "whole" and groups is not None and read.name == groups[0]:
        return run.in_groups(run.whole(read.name, read.table), groups[1])
    if read.how == "whole":
        return run.whole(read.name, read.table)
    if read.how == "table":
        return run.spark.table(read.table)
    return run.output(read.name)


def step_function(plan: StepPlan) -> Callable[[StepRun], DataFrame]:
    """The step's body: read, transform, validate, gate, publish."""
    rules: tuple[Rule, ...] = to_runtime_rules(plan.step.rules)
    transform = plan.step.transform.func if plan.step.transform else None
    refresh = plan.refresh

    def run_step(run: StepRun) -> DataFrame:
        since, groups = None, None
        if plan.layer is Layer.BRONZE:
            df = run.read(plan.info.table)
            if run.incremental and plan.oldest_of and plan.watermark_column:
                df = run.newer_than(df, plan.watermark_column, run.oldest_watermark(*plan.oldest_of))
        elif plan.step.existing:
            df = run.spark.table(plan.info.table)
        elif plan.layer is Layer.SILVER:
            if plan.since is not None and run.incremental:
                since = run.watermark(*plan.since)
            if refresh.skip_inputs and since is not None and run.no_new_rows(*refresh.skip_inputs):
                return run.skip(skip_reason(refresh, plan.layer))
            bronze = plan.transform_input
            rows = run.output(bronze) if bronze else None
            if rows is not None and plan.bronze_column:
                rows = run.newer_than(rows, plan.bronze_column, since)
            priors = {r.name: _input(run, r, since) for r in plan.inputs}
            df = _call(transform, run.spark, rows, run.declared(priors, argument="depends_on"))
        else:
            tables = [r.table for r in plan.inputs if r.name in refresh.skip_inputs]
            if refresh.skip_inputs and run.inputs_unchanged(*tables, code=refresh.code):
                return run.skip(skip_reason(refresh, plan.layer))
            if refresh.by_groups:
                table = next(r.table for r in plan.inputs if r.name == refresh.group_silver)
                groups = run.changed_groups(refresh.group_silver, table)
            picked = (refresh.group_silver, groups) if refresh.by_groups else None
            silvers = {r.name: _input(run, r, None, picked) for r in plan.inputs}
            df = _call(transform, run.spark, run.declared(silvers, argument="source_silvers"))
        checked = run.validate(df, rules, keep=plan.keep, watermark=plan.watermark_column)
        run.gate(checked, min_rate=plan.threshold, fail_on=plan.fail_on)
        if plan.quarantine:
            run.quarantine(checked, plan.quarantine)
        if refresh.by_groups:
            run.publish_groups(checked, groups)
        elif plan.layer is not Layer.BRONZE and not plan.step.existing:
            covered = run.covered(plan.transform_input or "", since) if plan.since else None
            run.publish(checked, covered=covered, evolve=plan.evolve)
        return checked.valid

    return run_step


def _call(transform: Callable[..., Any] | None, *args: Any) -> Any:
    if transform is None:
        raise ValueError("a silver or gold step without a transform")
    return transform(*args)


def runtime_plan(plan: Plan) -> tuple[RuntimePipeline, RuntimePlan]:
    """The runtime's view of a builder's pipeline: its settings and its stages of step functions."""
    pipeline, settings = plan.pipeline, plan.pipeline.settings
    steps = {}
    decisions = plan_steps(pipeline)
    for s in pipeline.steps:
        decided = decisions[s.name]
        where = f"{os.path.basename(s.span.file)}:{s.span.line}" if s.span else None
        steps[s.name] = RuntimeStep(replace(decided.info, source=where), step_function(decided))
    runtime = RuntimePipeline(
        name=settings.pipeline_name,
        log_table=log_table(settings),
        table_format=settings.table_format,
        source_hash=pipeline.source_hash,
    )
    stages = tuple(tuple(steps[name] for name in stage) for stage in plan.stages)
    return runtime, RuntimePlan(
        stages, settings.enable_parallel_silver, settings.max_parallel_workers, settings.unified_execution
    )
