"""Draw a plan's step graph as Mermaid, Graphviz DOT or JSON: the core of `sparkforge graph`.

Input: an `ir.Plan` (from `api.read_plan`: the builder code read statically, never run, no JVM) and a
format name. Output: the text, ending in a newline, the same bytes for the same pipeline: steps in
plan order (by stage, then name), edges sorted by source, target and kind. `build_graph` decides what
is drawn; the renderers only format it.

    render_graph(plan, "json")
    -> '{"version": 1, "pipeline": "shop", ..., "stages": [["orders"], ["clean_orders"]], ...}'

The JSON document (version 1), as `docs/jobs.md` describes it:
`{version, pipeline, unified, parallel, stages: [[name]], steps: [{name, layer, table, schema, stage,
upstream, incremental, watermark, existing}], edges: [{from, to, kind}]}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sparkforge.compiler.render.build_graph import GraphStep, StepGraph, build_graph
from sparkforge.compiler.render.render_dot import render_dot
from sparkforge.compiler.render.render_mermaid import render_mermaid
from sparkforge.ir import Plan

JSON_VERSION = 1


def render_json(graph: StepGraph) -> str:
    """The graph as the documented JSON document (see the module docstring)."""
    document = {
        "version": JSON_VERSION,
        "pipeline": graph.pipeline,
        "unified": graph.unified,
        "parallel": graph.parallel,
        "stages": [list(stage.steps) for stage in graph.stages],
        "steps": [_json_step(step) for step in graph.steps],
        "edges": [{"from": e.source, "to": e.target, "kind": e.kind.value} for e in graph.edges],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _json_step(step: GraphStep) -> dict[str, Any]:
    return {
        "name": step.name,
        "layer": step.layer.value,
        "table": step.table,
        "schema": step.schema,
        "stage": step.stage,
        "upstream": list(step.upstream),
        "incremental": step.incremental,
        "watermark": step.watermark,
        "existing": step.existing,
    }


RENDERERS: Mapping[str, Callable[[StepGraph], str]] = {
    "mermaid": render_mermaid,
    "dot": render_dot,
    "json": render_json,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)  # the first is the default


def render_graph(plan: Plan, fmt: str = FORMATS[0]) -> str:
    """The plan drawn in `fmt`, one of `FORMATS`; raises ValueError for any other name."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown graph format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderer(build_graph(plan))
