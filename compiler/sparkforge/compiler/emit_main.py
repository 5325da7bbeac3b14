"""Emit the bottom of a job: `JOB`, its plain-value definition, and `main()` with the stages.

Input: a `JobContext`. Output: source text for the `$job` and `$main` slots of the template. Stages
come from `ir.Plan` (the planner's order); the parallel ones are marked in a comment.

    Plan(stages=(("customers", "orders"), ("clean_orders",)))
    ->  stages = (
            (bronze_customers, bronze_orders),  # stage 1, parallel
            (silver_clean_orders,),  # stage 2
        )
"""

from __future__ import annotations

from sparkforge.compiler.emit_values import literal
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
    names = ctx.pipeline.names(Layer.BRONZE)
    return step.source_bronze in names and bool(
        ctx.pipeline.step(step.source_bronze).incremental_col
    )


def _planned_step(stage: int, step: Step, ctx: JobContext) -> str:
    fields = step_fields(step, ctx.pipeline.settings)
    args = [str(stage), literal(step.name), literal(fields["layer"]), literal(fields["table"])]
    if step.upstream:
        args.append(f"upstream={literal(step.upstream)}")
    if _incremental(step, ctx):
        args.append("incremental=True")
    if fields["write_mode"] != "overwrite":
        args.append(f"write_mode={literal(fields['write_mode'])}")
    if step.existing:
        args.append("existing=True")
    return f"PlannedStep({', '.join(args)})"


def emit_job_definition(ctx: JobContext) -> JobUnit:
    """`JOB = JobDefinition(...)`: provenance, run options and the plan, all plain values."""
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
    lines = [f"    {key}={literal(value)},\n" for key, value in values.items()]
    planned = [
        f"        {_planned_step(i, ctx.pipeline.step(name), ctx)},\n"
        for i, stage in enumerate(ctx.plan.stages, start=1)
        for name in stage
    ]
    return JobUnit(
        f"JOB = JobDefinition(\n{''.join(lines)}    steps=(\n{''.join(planned)}    ),\n)"
    )


def _stage_note(index: int, size: int, ctx: JobContext) -> str:
    if size < 2:
        return f"# stage {index}"
    how = "parallel" if ctx.pipeline.settings.enable_parallel_silver else "one after another"
    return f"# stage {index}, {how}"


def emit_main(ctx: JobContext) -> JobUnit:
    """`main()`: the stages in dependency order, then the runtime's command line."""
    rows = []
    for index, stage in enumerate(ctx.plan.stages, start=1):
        names = ", ".join(ctx.functions[name] for name in stage)
        members = f"({names},)" if len(stage) == 1 else f"({names})"
        rows.append(f"        {members},  {_stage_note(index, len(stage), ctx)}\n")
    unified = (
        "    # Unified execution: a step starts as soon as the steps it needs are done.\n"
        if ctx.pipeline.settings.unified_execution
        else ""
    )
    return JobUnit(
        "def main(argv: list[str] | None = None) -> int:\n"
        '    """Run the pipeline; `--help` lists the options. Returns the exit code."""\n'
        f"{unified}    stages = (\n{''.join(rows)}    )\n"
        "    return run_job(JOB, stages, argv)"
    )
