"""Write a `StepGraph` as a Mermaid flowchart, which GitHub renders in pull requests and READMEs.

Input: a `StepGraph` (`build_graph`). Output: the flowchart text, ending in a newline. Stages are
subgraphs from left to right; layers are classes (bronze, silver, gold colours); each node names its
step, layer and table, and its watermark when it is incremental. Arrows carry data (`source_bronze`,
`source_silvers`); dotted ones are `depends_on`.

    StepGraph(stages=(("orders",), ("clean_orders",)), ...)
    -> flowchart LR / subgraph stage_1["stage 1"] / orders["orders<br/>bronze: shop.orders"] / end ...
       orders --> clean_orders / class orders bronze

Step names are free text, so node ids are derived (`[A-Za-z_][A-Za-z0-9_]*`, never a Mermaid
keyword, unique) and labels use Mermaid's entity codes for the characters that would end them.
"""

from __future__ import annotations

import json
import re

from sparkforge.compiler.render.build_graph import EdgeKind, GraphStep, StepGraph
from sparkforge.ir import Layer

INDENT = "    "
# Words that end or redirect a flowchart statement when used as a node id.
_KEYWORDS = frozenset(
    (
        "end",
        "graph",
        "flowchart",
        "subgraph",
        "direction",
        "class",
        "classdef",
        "style",
        "linkstyle",
        "click",
        "call",
        "href",
        "default",
        "callback",
        "interpolate",
    )
)
_CODES = ("35", "quot", "amp", "lt", "gt", "96", "91", "93", "123", "125", "124", "59")
# Mermaid's entity codes (`#quot;` becomes `&quot;`) for what could end a label or a statement.
_ENTITIES = {ord(c): f"#{code};" for c, code in zip('#"&<>`[]{}|;', _CODES, strict=True)}
_STYLES = {
    Layer.BRONZE: "fill:#f6e3cf,stroke:#a0522d,color:#222",
    Layer.SILVER: "fill:#eceff1,stroke:#607d8b,color:#222",
    Layer.GOLD: "fill:#fff4c2,stroke:#b8860b,color:#222",
}


def render_mermaid(graph: StepGraph) -> str:
    """The whole flowchart; see the module docstring."""
    ids = node_ids(graph)
    lines = [
        "---",
        f"title: {json.dumps(graph.pipeline)}",  # a JSON string is a valid YAML scalar
        "---",
        f"%% {_summary(graph)}",
        "flowchart LR",
        *_stages(graph, ids),
        *_arrows(graph, ids),
        *_classes(graph, ids),
    ]
    return "\n".join(lines) + "\n"


def node_ids(graph: StepGraph) -> dict[str, str]:
    """Step name -> a Mermaid-safe, unique node id; the stage subgraphs' ids are taken first.

    Names that are safe ids already keep them; the others are rewritten, numbered on a clash.
    """
    taken = {_stage_id(stage.number) for stage in graph.stages}
    bases = {step.name: _safe_id(step.name) for step in graph.steps}
    ids: dict[str, str] = {}
    for name in sorted(bases, key=lambda n: (bases[n] != n, n)):
        candidate, n = bases[name], 1
        while candidate in taken:
            n += 1
            candidate = f"{bases[name]}_{n}"
        taken.add(candidate)
        ids[name] = candidate
    return dict(sorted(ids.items()))


def _safe_id(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not base or base[0].isdigit() or base.lower() in _KEYWORDS:
        return f"step_{base}"
    return base


def label_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: no quote, bracket or markup survives as syntax."""
    return " ".join(text.split()).translate(_ENTITIES)


def _summary(graph: StepGraph) -> str:
    steps, stages = len(graph.steps), len(graph.stages)
    how = "unified: a step starts when the steps it needs are done" if graph.unified else "layered"
    return f"sparkforge graph: {steps} steps in {stages} stages ({how})"


def _stage_id(number: int) -> str:
    return f"stage_{number}"


def _stages(graph: StepGraph, ids: dict[str, str]) -> list[str]:
    by_name = {step.name: step for step in graph.steps}
    lines: list[str] = []
    for stage in graph.stages:
        lines.append(f'{INDENT}subgraph {_stage_id(stage.number)}["{label_text(stage.title)}"]')
        lines.extend(f"{INDENT * 2}{_node(by_name[name], ids)}" for name in stage.steps)
        lines.append(f"{INDENT}end")
    return lines


def _node(step: GraphStep, ids: dict[str, str]) -> str:
    return f'{ids[step.name]}["{"<br/>".join(label_text(p) for p in step.label_lines)}"]'


def _arrows(graph: StepGraph, ids: dict[str, str]) -> list[str]:
    lines = []
    for edge in graph.arrows():
        arrow = "-.->|depends_on|" if edge.kind is EdgeKind.DEPENDS_ON else "-->"
        lines.append(f"{INDENT}{ids[edge.source]} {arrow} {ids[edge.target]}")
    return lines


def _classes(graph: StepGraph, ids: dict[str, str]) -> list[str]:
    lines = [f"{INDENT}classDef {layer.value} {style}" for layer, style in _STYLES.items()]
    for layer in Layer:
        members = sorted(ids[s.name] for s in graph.steps if s.layer is layer)
        if members:
            lines.append(f"{INDENT}class {','.join(members)} {layer.value}")
    return lines
