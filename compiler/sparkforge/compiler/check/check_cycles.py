"""Frontend pass: the steps' dependencies form no cycle; one found is shown as its path.

Input: `Unit.pipeline` with every dependency in place (declared, inferred, added from reads). Output:
the unit plus SF501 at the dependency that closes the first cycle `graph.find_cycle` finds (the same
search the builder and the planner run), with the builder's message.

    a depends_on b, b depends_on a   ->   SF501 "dependency cycle: a -> b -> a" at b's depends_on
"""

from __future__ import annotations

from sparkforge import graph
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.read.unit import Unit

_FIELDS = ("depends_on", "source_silvers", "source_bronze")


def check_cycles(unit: Unit) -> Unit:
    pipeline = unit.pipeline
    if pipeline is None or len(set(pipeline.names())) < len(pipeline.steps):
        return unit  # duplicate names (SF203) merge steps in the graph: any cycle would be false
    path = graph.find_cycle(graph.dependencies(pipeline.steps))
    if path is None:
        return unit
    closing = path[-2]  # its dependency on path[-1] closes the loop
    index = next(i for i, s in enumerate(pipeline.steps) if s.name == closing)
    step, code = pipeline.steps[index], unit.steps[index]
    spans = [code.spans[f] for f in _FIELDS if f in code.spans and path[-1] in _names(step, f)]
    span = spans[0] if spans else step.span
    assert span is not None
    return unit.report(Diagnostic(
        "SF501", f"dependency cycle: {graph.format_cycle(path)}", span,
        "remove one of these names from depends_on or source_silvers",
    ))  # fmt: skip


def _names(step: object, field: str) -> tuple[str, ...]:
    value = getattr(step, field)
    return (value,) if isinstance(value, str) else tuple(value or ())
