"""Step dependencies, cycle detection and execution stages. Pure Python: no Spark needed.

Input: the steps of an `ir.Pipeline`. Output: the dependency map, the first cycle as a path, and an
`ir.Plan` whose stages list the steps that may run together, each stage sorted by name:

    bronze events; silvers a, b (from events); gold g (from a, b)
    -> Plan(stages=(("events",), ("a", "b"), ("g",)))

Layered (default): a stage holds one layer only, so a gold stage starts after every silver step.
Unified (`settings.unified_execution`): stages follow the dependencies alone, so a gold step may share
a stage with silver steps it does not depend on. The builder, the runner and the compiler all plan
with this module, so they agree on the order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from graphlib import TopologicalSorter

from sparkforge.exceptions import PipelineValidationError, StepError
from sparkforge.ir import Layer, Pipeline, Plan, Step
from sparkforge.suggest import hints

_RANK = {Layer.BRONZE: 0, Layer.SILVER: 1, Layer.GOLD: 2}

__all__ = ["check_references", "dependencies", "find_cycle", "format_cycle", "plan_stages"]


def dependencies(steps: Sequence[Step]) -> dict[str, tuple[str, ...]]:
    """Step name -> names of the steps it needs (source bronze, source silvers, depends_on)."""
    return {step.name: step.upstream for step in steps}


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The first cycle found, as a path that ends where it starts (["a", "b", "a"]), else None.

    Depth-first in the map's order, so the same pipeline always reports the same cycle.
    """
    done: set[str] = set()
    for start in deps:
        if start not in done:
            path = _cycle_from(start, deps, done)
            if path is not None:
                return path
    return None


def _cycle_from(start: str, deps: Mapping[str, Sequence[str]], done: set[str]) -> list[str] | None:
    """Iterative DFS (deep pipelines must not hit the recursion limit)."""
    path: list[str] = [start]
    on_path = {start}
    stack = [iter(deps.get(start, ()))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            finished = path.pop()
            done.add(finished)
            on_path.discard(finished)
            continue
        if child in on_path:
            return [*path[path.index(child) :], child]
        if child in done or child not in deps:
            continue
        path.append(child)
        on_path.add(child)
        stack.append(iter(deps[child]))
    return None


def format_cycle(path: Sequence[str]) -> str:
    return " -> ".join(path)


def check_references(pipeline: Pipeline) -> None:
    """Every upstream name is a step of an earlier or the same layer, and there is no cycle."""
    for step in pipeline.steps:
        for upstream in step.upstream:
            _check_upstream(pipeline, step, upstream)
    cycle = find_cycle(dependencies(pipeline.steps))
    if cycle is not None:
        raise PipelineValidationError(
            f"dependency cycle: {format_cycle(cycle)}",
            step=cycle[0],
            layer=pipeline.step(cycle[0]).layer.value,
            suggestions=("remove one of these names from depends_on or source_silvers",),
        )


def _check_upstream(pipeline: Pipeline, step: Step, upstream: str) -> None:
    names = pipeline.names()
    where = f"{step.layer.value} step {step.name!r}"
    if upstream not in names:
        raise StepError(
            f"{where} depends on unknown step {upstream!r}",
            step=step.name,
            layer=step.layer.value,
            suggestions=hints(upstream, names),
        )
    source = pipeline.step(upstream)
    if _RANK[source.layer] > _RANK[step.layer] or step.layer is Layer.BRONZE:
        raise StepError(
            f"{where} cannot depend on {source.layer.value} step {upstream!r}: data flows "
            "bronze -> silver -> gold",
            step=step.name,
            layer=step.layer.value,
        )


def plan_stages(pipeline: Pipeline) -> Plan:
    """Stages in dependency order, each `tuple(sorted(ready))`; raises on unknown steps or cycles."""
    check_references(pipeline)
    if pipeline.settings.unified_execution:
        return Plan(pipeline, _stages(pipeline.steps, set()))
    stages: list[tuple[str, ...]] = []
    finished: set[str] = set()
    for layer in Layer:
        steps = [s for s in pipeline.steps if s.layer is layer]
        stages.extend(_stages(steps, finished))
        finished.update(s.name for s in steps)
    return Plan(pipeline, tuple(stages))


def _stages(steps: Sequence[Step], finished: set[str]) -> tuple[tuple[str, ...], ...]:
    """Topological levels of `steps`; dependencies in `finished` ran in earlier stages."""
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for step in steps:
        sorter.add(step.name, *(u for u in step.upstream if u not in finished))
    sorter.prepare()
    stages: list[tuple[str, ...]] = []
    while sorter.is_active():
        ready = tuple(sorted(sorter.get_ready()))
        stages.append(ready)
        sorter.done(*ready)
    return tuple(stages)
