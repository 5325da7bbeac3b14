"""Emit the user's transforms and one function per step that returns its `StepSpec`.

Input: a `JobContext` and an `ir.Step`. Output: job units: the user's transforms as written, and a
function per step, with black's layout of it when it is certain (`black_layout`). Keyword values
come from `step_fields()`, the same function the interpreted runner uses, so both paths build equal
specs.

    Step("clean_orders", SILVER, table_name="clean_orders", ...)
    ->  def silver_clean_orders() -> StepSpec:
            \"\"\"Silver step 'clean_orders' (pipeline.py:41): writes shop.clean_orders.\"\"\"
            return StepSpec(name="clean_orders", layer="silver", ..., rules=(...))
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from sparkforge_runtime.specs import StepSpec

from sparkforge.compiler.black_layout import Code, write
from sparkforge.compiler.emit_rules import emit_rules
from sparkforge.compiler.emit_values import comment
from sparkforge.compiler.job_context import JobContext, TransformCode
from sparkforge.compiler.job_units import JobUnit
from sparkforge.ir import Layer, Step
from sparkforge.step_fields import step_fields

# Written even when equal to StepSpec's default: a reader should see them in every step.
ALWAYS_WRITTEN = ("name", "layer", "threshold", "table")


DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(StepSpec) if f.default is not dataclasses.MISSING
}


def emit_transform(code: TransformCode, ctx: JobContext) -> str:
    """A transform copied verbatim under a comment naming its line; a lambda gets a name."""
    origin = comment(ctx.where(code.span))
    if code.is_def:
        return f"{origin}\n{code.source}"
    # The parentheses keep a lambda that spanned lines of a call valid on its own, and carry the
    # noqa: user code is copied verbatim, so a lambda stays a lambda instead of becoming a def.
    return f"{origin}\n{code.name} = (  # noqa: E731\n{code.source}\n)"


def _summary(step: Step, table: str, ctx: JobContext) -> str:
    head = f"{step.layer.value.capitalize()} step {step.name!r} ({ctx.where(step.span)})"
    if step.layer is Layer.BRONZE:
        return f"{head}: reads {table} unless --source binds it."
    if step.existing:
        return f"{head}: validates the existing table {table}."
    return f"{head}: writes {table}."


def _write_step(step: Step, ctx: JobContext, code: Code) -> None:
    fields = step_fields(step, ctx.pipeline.settings)
    for line in (step.description or "").splitlines():
        if line.strip():
            code.comment(0, comment(line))
    code.add(0, f"def {ctx.functions[step.name]}() -> StepSpec:")
    code.docstring(1, _summary(step, fields["table"], ctx))
    code.add(1, "return StepSpec(")
    # The plain layout is the text this emitter has always written, its arguments at column 0:
    # black keeps code after a user's `# fmt: off` as it stands.
    arguments, close = (0, 0) if code.plain else (2, 1)
    for key, value in fields.items():
        if key in ALWAYS_WRITTEN or key not in DEFAULTS or value != DEFAULTS[key]:
            code.keyword(arguments, key, value)
    if step.name in ctx.transforms:
        code.add(arguments, f"transform={ctx.transforms[step.name].name},")
    emit_rules(step.rules, code, depth=arguments)
    code.add(close, ")")


def emit_step(step: Step, ctx: JobContext) -> JobUnit:
    """The step's function: a docstring saying what it does, and its StepSpec."""
    return write(functools.partial(_write_step, step, ctx))


def emit_steps(ctx: JobContext) -> tuple[JobUnit, ...]:
    """Transforms first (in order of first use), then the step functions in declaration order."""
    transforms = [JobUnit(emit_transform(code, ctx)) for code in ctx.transform_code]
    return (*transforms, *(emit_step(step, ctx) for step in ctx.pipeline.steps))
