"""Frontend pass: every step a step names as its source exists and is of the right layer, as the builder checks.

Input: `Unit.pipeline` after `infer_sources`. Output: the unit plus, at the offending argument:
SF201 for a name that is no step (with "did you mean"), or that the builder cannot see yet (a bronze
or gold source declared after the step that names it); SF207 for a step of the wrong layer
(`source_bronze` must be bronze; `source_silvers` and `depends_on` silver). Messages are the runtime
builder's own. Lookups go through one dict, so a 1,000-step pipeline is checked in linear time.

    .add_silver_transform(name="clean", source_bronze="evnts", ...)
    -> SF201 "silver step 'clean': source_bronze 'evnts' is not a bronze step"  help "did you mean 'events'?"
"""

from __future__ import annotations

from sparkforge import builder_checks as bc
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.read.unit import StepCode, Unit, from_error
from sparkforge.exceptions import SparkForgeError
from sparkforge.ir import Layer, Pipeline, Step


def check_sources(unit: Unit) -> Unit:
    pipeline = unit.pipeline
    if pipeline is None:
        return unit
    checker = _SourceChecker(pipeline, unit.partial)
    for index, (step, code) in enumerate(zip(pipeline.steps, unit.steps, strict=True)):
        checker.step(index, step, code)
        checker.seen[step.name] = index
    return unit.report(*checker.diagnostics)


class _SourceChecker:
    def __init__(self, pipeline: Pipeline, partial: bool) -> None:
        self.steps = pipeline.steps
        self.partial = partial
        self.index = {s.name: i for i, s in reversed(list(enumerate(self.steps)))}  # first wins
        self.seen: dict[str, int] = {}  # declared so far: what the builder can see at this call
        self.diagnostics: list[Diagnostic] = []

    def step(self, index: int, step: Step, code: StepCode) -> None:
        ctx = bc.StepContext(step.name, step.layer)
        if step.layer is Layer.SILVER and step.source_bronze and "source_bronze" in code.args:
            self._bronze(index, step, code, ctx)
        later = step.layer is Layer.SILVER  # silver may name silver steps declared after it
        for what in ("source_silvers", "depends_on"):
            if what in code.args:
                for name in getattr(step, what):
                    self._silver(index, what, name, code, ctx, later)

    def _bronze(self, index: int, step: Step, code: StepCode, ctx: bc.StepContext) -> None:
        name = step.source_bronze
        at = self.seen.get(name or "")
        if at is not None and self.steps[at].layer is Layer.BRONZE:
            return
        if self.partial and name not in self.index:
            return
        try:
            bc.check_source_bronze(name, ctx, self.steps[:index], optional=False)
        except SparkForgeError as err:
            code_ = "SF207" if name in self.index and self.steps[self.index[name]].layer is not Layer.BRONZE else "SF201"
            self.diagnostics.append(self._later(from_error(code_, err, code.spans["source_bronze"]), name, index))

    def _silver(self, index: int, what: str, name: str, code: StepCode, ctx: bc.StepContext,
                later: bool) -> None:  # fmt: skip
        where = self.index.get(name)
        visible = where is not None and (later or where < index)
        if visible and self.steps[where or 0].layer is Layer.SILVER:
            return
        if where is None and self.partial:
            return
        pool = self.steps if visible or where is None else self.steps[:index]
        try:
            bc.check_silver_refs(what, (name,), ctx, pool, allow_later=False)
        except SparkForgeError as err:
            code_ = "SF207" if visible else "SF201"
            self.diagnostics.append(self._later(from_error(code_, err, code.spans[what]), name, index))

    def _later(self, diagnostic: Diagnostic, name: str | None, index: int) -> Diagnostic:
        """A source declared after the step: say so instead of only "unknown"."""
        where = self.index.get(name or "")
        if where is None or where < index:
            return diagnostic
        later = self.steps[where]
        return Diagnostic(diagnostic.code, diagnostic.message, diagnostic.span,
                          f"{later.layer.value} step {name!r} is declared after this step; declare it first")
