"""Emit the bottom of a job: `JOB`, its plain-value definition, and `main()` with the stages.

Input: a `JobContext`. Output: the units for the `$job` and `$main` slots of the template, with black's
layout of them when it is certain (`black_layout`). Stages come from `ir.Plan` (the planner's order);
the parallel ones are marked in a comment.

    Plan(stages=(("customers", "orders"), ("clean_orders",)))
    ->  stages = (
            (bronze_customers, bronze_orders),  # stage 1, parallel
            (silver_clean_orders,),  # stage 2
        )
"""

from __future__ import annotations

import functools

from sparkforge.compiler.black_layout import Code, write
from sparkforge.compiler.job_context import JobContext
from sparkforge.compiler.job_units import JobUnit
from sparkforge.ir import Layer, Step
from sparkforge.step_fields import run_fields, step_fields


def _incremental(step: Step, ctx: JobContext) -> bool:
    """Bronze: reads only new rows; silver: appends them (the engine's rule, for the dry-run plan)."""
    if step.layer is Layer.BRONZE:
        return bool(step.incremental_col)
    if step.layer is not Layer.SILVER or step.existing or not step.source_bronze:
        return False
    source = ctx.steps.get(step.source_bronze)
    return source is not None and source.layer is Layer.BRONZE and bool(source.incremental_col)


def _planned_step(stage: int, step: Step, ctx: JobContext, code: Code) -> list[str]:
    fields = step_fields(step, ctx.pipeline.settings)
    args = [str(stage), *(code.literal(v) for v in (step.name, fields["layer"], fields["table"]))]
    if step.upstream:
        args.append(f"upstream={code.literal(step.upstream)}")
    if _incremental(step, ctx):
        args.append("incremental=True")
    if fields["write_mode"] != "overwrite":
        args.append(f"write_mode={code.literal(fields['write_mode'])}")
    if step.existing:
        args.append("existing=True")
    return code.call(2, "PlannedStep", args)


def emit_job_definition(ctx: JobContext) -> JobUnit:
    """`JOB = JobDefinition(...)`: provenance, run options and the plan, all plain values."""
    return write(functools.partial(_write_job_definition, ctx))


def _write_job_definition(ctx: JobContext, code: Code) -> None:
    opts = ctx.options
    values = {
        "pipeline_name": ctx.pipeline.settings.pipeline_name,
        "source_file": opts.source_path,
        "source_hash": ctx.pipeline.source_hash,
        "compiled_with": opts.compiled_with,
        "runtime_requires": opts.runtime_requires,
        "script": opts.job_name,
        **{k: v for k, v in run_fields(ctx.pipeline.settings).items() if k != "pipeline_name"},
    }
    code.add(0, "JOB = JobDefinition(")
    for key, value in values.items():
        code.keyword(1, key, value)
    planned = [
        _planned_step(i, ctx.steps[name], ctx, code)
        for i, stage in enumerate(ctx.plan.stages, start=1)
        for name in stage
    ]
    code.tuple_of(1, "steps=(", planned, "),")
    code.add(0, ")")


def _stage_note(index: int, size: int, ctx: JobContext) -> str:
    if size < 2:
        return f"# stage {index}"
    how = "parallel" if ctx.pipeline.settings.enable_parallel_silver else "one after another"
    return f"# stage {index}, {how}"


def emit_main(ctx: JobContext) -> JobUnit:
    """`main()`: the stages in dependency order, then the runtime's command line."""
    return write(functools.partial(_write_main, ctx))


def _write_main(ctx: JobContext, code: Code) -> None:
    code.add(0, "def main(argv: list[str] | None = None) -> int:")
    code.docstring(1, "Run the pipeline; `--help` lists the options. Returns the exit code.")
    if ctx.pipeline.settings.unified_execution:
        code.add(1, "# Unified execution: a step starts as soon as the steps it needs are done.")
    code.add(1, "stages = (")
    for index, stage in enumerate(ctx.plan.stages, start=1):
        names = [ctx.functions[name] for name in stage]
        code.row(2, names, _stage_note(index, len(stage), ctx))
    code.add(1, ")")
    code.add(1, "return run_job(JOB, stages, argv)")
    # One stage is a one-item tuple, which black joins with its comment: left to black.
    code.exact = code.exact and len(ctx.plan.stages) > 1
