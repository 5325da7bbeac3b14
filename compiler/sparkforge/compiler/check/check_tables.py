"""Frontend pass: every silver and gold step has a table of its own, as the builder checks.

Input: `Unit.pipeline` after `infer_sources` (a silver step's bronze source is known). Output: the unit
plus, at the step's `table_name=`: SF211 when an earlier step already has the same `<schema>.<table>`
(two writers of one table), SF212 when a silver step's table is the table its own bronze step reads.
Messages are the runtime builder's own (`builder_checks`).

    .add_silver_transform(name="a", table_name="t", ...).add_gold_transform(name="b", table_name="t", ...)
    -> SF211 "gold step 'b': table shop.t is already the table of the silver step 'a'; ..."
"""

from __future__ import annotations

from sparkforge import builder_checks as bc
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.read.unit import Unit, from_error
from sparkforge.exceptions import SparkForgeError
from sparkforge.ir import Layer, Span, Step


def check_tables(unit: Unit) -> Unit:
    pipeline = unit.pipeline
    if pipeline is None:
        return unit
    default = pipeline.settings.schema
    diagnostics: list[Diagnostic] = []
    earlier: list[Step] = []  # the steps the builder accepted so far (a reused name is not: SF203)
    for step, code in zip(pipeline.steps, unit.steps, strict=True):
        if any(s.name == step.name for s in earlier):
            continue
        if step.table_name is not None and "table_name" in code.spans:
            diagnostics.extend(_check(step, code.spans["table_name"], earlier, default))
        earlier.append(step)
    return unit.report(*diagnostics)


def _check(step: Step, span: Span, earlier: list[Step], default: str) -> list[Diagnostic]:
    assert step.table_name is not None
    ctx = bc.StepContext(step.name, step.layer)
    try:
        bc.check_table_unique(step.table_name, step.schema, ctx, earlier, default)
    except SparkForgeError as err:
        return [from_error("SF211", err, span)]
    if step.layer is not Layer.SILVER:
        return []
    try:
        bc.check_not_own_input(step.table_name, step.schema, step.source_bronze, ctx, earlier, default)
    except SparkForgeError as err:
        return [from_error("SF212", err, span)]
    return []
