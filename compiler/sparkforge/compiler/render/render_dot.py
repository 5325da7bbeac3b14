"""Write a `StepGraph` as Graphviz DOT, for `dot -Tsvg` and the tools that read it.

Input: a `StepGraph` (`build_graph`). Output: one `digraph`, ending in a newline. Stages are clusters
from left to right; the fill colour gives the layer; each node names its step, layer and table, and its
watermark when it is incremental. Solid edges carry data; dashed ones are `depends_on`.

    StepGraph(stages=(("orders",), ("clean_orders",)), ...)
    -> digraph "shop" { subgraph "cluster_stage_1" { "orders" [label="orders\\nbronze: shop.orders"] }
       ... "orders" -> "clean_orders"; }

Every name is written as a quoted DOT string, so any step name is a valid node id.
"""

from __future__ import annotations

from sparkforge.compiler.render.build_graph import EdgeKind, GraphStep, StepGraph
from sparkforge.ir import Layer

INDENT = "    "
FONT = 'fontname="Helvetica"'
_FILLS = {Layer.BRONZE: "#f6e3cf", Layer.SILVER: "#eceff1", Layer.GOLD: "#fff4c2"}


def render_dot(graph: StepGraph) -> str:
    """The whole digraph; see the module docstring."""
    lines = [
        f"digraph {quote(graph.pipeline)} {{",
        f"{INDENT}graph [rankdir=LR, label={quote(graph.pipeline)}, labelloc=t, {FONT}];",
        f'{INDENT}node [shape=box, style="rounded,filled", {FONT}];',
        f"{INDENT}edge [{FONT}];",
        *_stages(graph),
        *_edges(graph),
        "}",
    ]
    return "\n".join(lines) + "\n"


def quote(text: str) -> str:
    """A DOT string: backslashes and quotes escaped, line breaks and tabs folded into spaces."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _stages(graph: StepGraph) -> list[str]:
    by_name = {step.name: step for step in graph.steps}
    lines: list[str] = []
    for stage in graph.stages:
        lines.append(f"{INDENT}subgraph {quote(f'cluster_stage_{stage.number}')} {{")
        lines.append(f"{INDENT * 2}label={quote(stage.title)};")
        lines.append(f"{INDENT * 2}style=dashed;")
        lines.extend(f"{INDENT * 2}{_node(by_name[name])}" for name in stage.steps)
        lines.append(f"{INDENT}}}")
    return lines


def _node(step: GraphStep) -> str:
    # `\n` is DOT's centred line break; it is added after quoting so it is not escaped.
    label = "\\n".join(quote(p)[1:-1] for p in step.label_lines)
    return f'{quote(step.name)} [label="{label}", fillcolor="{_FILLS[step.layer]}"];'


def _edges(graph: StepGraph) -> list[str]:
    lines = []
    for edge in graph.arrows():
        style = ' [style=dashed, label="depends_on"]' if edge.kind is EdgeKind.DEPENDS_ON else ""
        lines.append(f"{INDENT}{quote(edge.source)} -> {quote(edge.target)}{style};")
    return lines
