"""Emit the bottom of a job: `PIPELINE`, its identity and settings, and `main()` with the plan.

Input: a `JobContext`. Output: the units for the `$pipeline` and `$main` slots of the template. The
stages come from `ir.Plan` (the planner's order), the steps of a stage that run side by side are
marked, and nothing else holds the plan: `--dry-run`, progress lines and the run log read it.

    Plan(stages=(("customers", "orders"), ("clean_orders",)))
    ->  plan = Plan(
            stages=(
                (bronze_customers, bronze_orders),  # stage 1: side by side
                (silver_clean_orders,),  # stage 2
            ),
            ...
"""

from __future__ import annotations

import functools

from sparkforge.compiler.emit.black_layout import Code, write
from sparkforge.compiler.emit.job_context import JobContext
from sparkforge.compiler.emit.job_units import JobUnit
from sparkforge.step_fields import log_table

MAIN_DOC = (
    "Run the pipeline; `--help` lists the options.",
    "",
    "Steps run stage by stage; a failed step writes nothing and cancels the steps",
    "that need it (its docstring names them), the others still run. Exit code:",
    "0 every step completed, 1 a step failed, 2 bad arguments or environment.",
)


def emit_pipeline(ctx: JobContext) -> JobUnit:
    """`PIPELINE = Pipeline(...)`: the job's identity, its run log and its table format."""
    return write(functools.partial(_write_pipeline, ctx), ctx.options.layout_width)


def _write_pipeline(ctx: JobContext, code: Code) -> None:
    settings, opts = ctx.pipeline.settings, ctx.options
    values = {
        "name": settings.pipeline_name,
        "log_table": log_table(settings),
        "table_format": settings.table_format,
        "source": opts.source_path,
        "source_hash": ctx.pipeline.source_hash,
        "compiled_with": opts.compiled_with,
        "runtime_requires": opts.runtime_requires,
        "script": opts.job_name,
    }
    code.add(0, "PIPELINE = Pipeline(")
    for key, value in values.items():
        code.keyword(1, key, value)
    code.add(0, ")")


def _stage_note(index: int, size: int, ctx: JobContext) -> str:
    if size < 2:
        return f"# stage {index}"
    how = "side by side" if ctx.pipeline.settings.enable_parallel_silver else "one after another"
    return f"# stage {index}: {how}"


def emit_main(ctx: JobContext) -> JobUnit:
    """`main()`: the stages in dependency order, how they run, then the runtime's command line."""
    return write(functools.partial(_write_main, ctx), ctx.options.layout_width)


def _write_main(ctx: JobContext, code: Code) -> None:
    settings = ctx.pipeline.settings
    code.add(0, "def main(argv: list[str] | None = None) -> int:")
    code.doc(1, MAIN_DOC)
    if settings.unified_execution:
        code.add(1, "# Unified: a step starts as soon as the steps it needs are done.")
    code.add(1, "plan = Plan(")
    code.add(2, "stages=(")
    for index, stage in enumerate(ctx.plan.stages, start=1):
        code.row(3, [ctx.functions[name] for name in stage], _stage_note(index, len(stage), ctx))
    code.add(2, "),")
    code.keyword(2, "parallel", settings.enable_parallel_silver)
    code.keyword(2, "max_workers", settings.max_parallel_workers)
    code.keyword(2, "unified", settings.unified_execution)
    code.add(1, ")")
    code.add(1, "return run_job(PIPELINE, plan, argv)")
    # One stage is a one-item tuple, which black joins with its comment: left to black.
    code.exact = code.exact and len(ctx.plan.stages) > 1
