"""Turn a plan into what `sparkforge graph` draws: steps, stages and edges as plain, sorted values.

Input: an `ir.Plan` (from `api.read_plan`, so no Spark and no JVM). Output: a `StepGraph` that the
renderers (`render_mermaid`, `render_dot`, `render_graph.render_json`) only format, so the three
formats cannot disagree. Tables come from `step_fields.table_fqn` and watermarks from
`step_fields.incremental_watermark`, the rules the job and the runner use.

    Plan(stages=(("orders",), ("clean_orders",)))  # clean_orders: source_bronze="orders"
    -> StepGraph(stages=(GraphStage(1, ("orders",), ...), ...),
                 edges=(GraphEdge("orders", "clean_orders", EdgeKind.SOURCE_BRONZE),))
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sparkforge.ir import Layer, Plan, Settings, Step
from sparkforge.step_fields import incremental_watermark, table_fqn


class EdgeKind(enum.StrEnum):
    """Why a step needs another, in the order the IR lists them (`Step.upstream`)."""

    SOURCE_BRONZE = "source_bronze"
    SOURCE_SILVERS = "source_silvers"
    DEPENDS_ON = "depends_on"


_KIND_ORDER = {kind: index for index, kind in enumerate(EdgeKind)}


@dataclass(frozen=True, slots=True)
class GraphStep:
    name: str
    layer: Layer
    table: str  # silver/gold: the table written; bronze: the table read when no input is bound
    schema: str | None
    stage: int  # 1-based, as in the job's main()
    upstream: tuple[str, ...]
    watermark: str | None  # None: not incremental
    existing: bool  # an existing silver table that is validated, not written

    @property
    def incremental(self) -> bool:
        return self.watermark is not None

    @property
    def label_lines(self) -> tuple[str, ...]:
        """What a drawing shows in the step's box, one line each."""
        lines = [self.name, f"{self.layer.value}: {self.table}"]
        if self.existing:
            lines.append("existing table, validated only")
        if self.watermark is not None:
            lines.append(f"watermark: {self.watermark}")
        return tuple(lines)


@dataclass(frozen=True, slots=True)
class GraphStage:
    number: int  # 1-based
    steps: tuple[str, ...]  # sorted, as the planner returns them
    parallel: bool  # more than one step, and the builder runs a stage's steps side by side

    @property
    def title(self) -> str:
        if len(self.steps) < 2:
            return f"stage {self.number}"
        return f"stage {self.number} ({'parallel' if self.parallel else 'one after another'})"


@dataclass(frozen=True, slots=True, order=True)
class GraphEdge:
    source: str
    target: str
    kind: EdgeKind


@dataclass(frozen=True, slots=True)
class StepGraph:
    pipeline: str
    unified: bool  # a step starts as soon as the steps it needs are done
    parallel: bool
    stages: tuple[GraphStage, ...]
    steps: tuple[GraphStep, ...]  # in plan order: by stage, then by name
    edges: tuple[GraphEdge, ...]  # sorted by source, target, kind

    def arrows(self) -> tuple[GraphEdge, ...]:
        """One edge per (source, target): the data-carrying kind wins over `depends_on`."""
        first: dict[tuple[str, str], GraphEdge] = {}
        for edge in sorted(self.edges, key=lambda e: _KIND_ORDER[e.kind]):
            first.setdefault((edge.source, edge.target), edge)
        return tuple(sorted(first.values()))


def build_graph(plan: Plan) -> StepGraph:
    """The drawing model of a plan; see the module docstring."""
    settings = plan.pipeline.settings
    by_name = {step.name: step for step in plan.pipeline.steps}
    stages = tuple(
        GraphStage(number, names, len(names) > 1 and settings.enable_parallel_silver)
        for number, names in enumerate(plan.stages, start=1)
    )
    steps = tuple(
        _graph_step(by_name[name], stage.number, settings, by_name)
        for stage in stages
        for name in stage.steps
    )
    edges = sorted({edge for step in plan.pipeline.steps for edge in _edges(step)})
    return StepGraph(
        pipeline=settings.pipeline_name,
        unified=settings.unified_execution,
        parallel=settings.enable_parallel_silver,
        stages=stages,
        steps=steps,
        edges=tuple(edges),
    )


def _graph_step(step: Step, stage: int, settings: Settings, steps: dict[str, Step]) -> GraphStep:
    return GraphStep(
        name=step.name,
        layer=step.layer,
        table=table_fqn(step, settings),
        schema=step.schema or settings.schema or None,
        stage=stage,
        upstream=step.upstream,
        watermark=incremental_watermark(step, steps),
        existing=step.existing,
    )


def _edges(step: Step) -> tuple[GraphEdge, ...]:
    named = [(step.source_bronze, EdgeKind.SOURCE_BRONZE)] if step.source_bronze else []
    named += [(name, EdgeKind.SOURCE_SILVERS) for name in step.source_silvers]
    named += [(name, EdgeKind.DEPENDS_ON) for name in step.depends_on]
    return tuple(GraphEdge(source, step.name, kind) for source, kind in named)
