"""Frontend pass: step names are unique across all layers, and the pipeline has at least one step.

Input: `Unit.pipeline` with its steps in declaration order. Output: the same unit plus SF203 for each
step that reuses an earlier step's name (at its `name=` argument, with the builder's own message) and
SF210 when the builder declares no step at all (what `PipelineBuilder.build()` rejects).

    .with_bronze_rules(name="orders", ...).add_silver_transform(name="orders", ...)
    -> SF203 "silver step 'orders': the name is already used by the bronze step 'orders'; ..."
"""

from __future__ import annotations

from sparkforge import builder_checks as bc
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.read.unit import Unit, from_error
from sparkforge.exceptions import PipelineValidationError, SparkForgeError
from sparkforge.ir import Step


def check_names(unit: Unit) -> Unit:
    pipeline = unit.pipeline
    if pipeline is None or pipeline.span is None:
        return unit
    if not pipeline.steps and not unit.partial:
        error = PipelineValidationError("the pipeline has no steps",
                                        suggestions=("add a step, e.g. with_bronze_rules(...)",))
        return unit.report(from_error("SF210", error, pipeline.span))
    first: dict[str, Step] = {}
    diagnostics: list[Diagnostic] = []
    for step, code in zip(pipeline.steps, unit.steps, strict=True):
        earlier = first.setdefault(step.name, step)
        if earlier is step:
            continue
        try:
            bc.check_step_name(step.name, step.layer, (earlier,))
        except SparkForgeError as err:
            diagnostics.append(from_error("SF203", err, code.spans["name"]))
    return unit.report(*diagnostics)
