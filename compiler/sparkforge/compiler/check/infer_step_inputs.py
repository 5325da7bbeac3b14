"""Frontend pass: fill in the sources a step did not name, as the builder does when the step is declared.

Input: `Unit.pipeline` in declaration order. Output: each silver transform without `source_bronze`
reads the most recently declared bronze step; each gold step without `source_silvers` reads every
silver step declared before it (SPEC section 2). A step with nothing to infer from is SF204, with the
builder's own message (a silver step that names source_silvers or depends_on may have no bronze).

    bronze events; silver clean (no source_bronze); gold daily (no source_silvers)
    -> clean.source_bronze == "events"; daily.source_silvers == ("clean",)
"""

from __future__ import annotations

import dataclasses

from sparkforge import builder_checks as bc
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.read.unit import Unit, from_error
from sparkforge.exceptions import SparkForgeError
from sparkforge.ir import Layer, Step


def infer_sources(unit: Unit) -> Unit:
    pipeline = unit.pipeline
    if pipeline is None:
        return unit
    diagnostics: list[Diagnostic] = []
    last_bronze: str | None = None
    silvers: list[str] = []  # grows as we go: inference never looks ahead, like the builder
    steps: list[Step] = []
    for step in pipeline.steps:
        inferred = _infer(step, last_bronze, silvers)
        if inferred is None:
            if not unit.partial:  # a step left out for its unknown name may be the missing source
                diagnostics.append(_nothing_to_infer(step))
            inferred = step
        steps.append(inferred)
        if step.layer is Layer.BRONZE:
            last_bronze = step.name
        elif step.layer is Layer.SILVER:
            silvers.append(step.name)
    new = dataclasses.replace(pipeline, steps=tuple(steps))
    return dataclasses.replace(unit.report(*diagnostics), pipeline=new)


def _infer(step: Step, last_bronze: str | None, silvers: list[str]) -> Step | None:
    """The step with its sources filled in; None when there is nothing to take them from."""
    if step.layer is Layer.SILVER and not step.existing and step.source_bronze is None:
        if last_bronze is not None:
            return dataclasses.replace(step, source_bronze=last_bronze)
        optional = bool(step.source_silvers or step.depends_on)
        return step if optional else None
    if step.layer is Layer.GOLD and not step.source_silvers:
        return dataclasses.replace(step, source_silvers=tuple(silvers)) if silvers else None
    return step


def _nothing_to_infer(step: Step) -> Diagnostic:
    ctx = bc.StepContext(step.name, step.layer)
    span = step.span
    assert span is not None  # the frontend gives every step the span of its call
    try:
        if step.layer is Layer.SILVER:
            bc.check_source_bronze(None, ctx, (), optional=False)
        else:
            bc.infer_source_silvers(ctx, ())
    except SparkForgeError as err:
        return from_error("SF204", err, span)
    raise AssertionError("the builder accepted a step the compiler could not infer sources for")
