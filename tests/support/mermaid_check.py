"""A small grammar check for the Mermaid flowcharts that `sparkforge graph` writes.

Input: the flowchart text. Output: the list of problems (empty when valid). It accepts exactly the
subset the renderer uses, so anything else is a problem: an optional front matter block, `%%`
comments, `flowchart LR`, `subgraph ID["label"]` ... `end`, nodes `ID["label"]`, arrows `A --> B` and
`A -.->|label| B`, `classDef NAME STYLE` and `class ID,ID NAME`. Node ids must be plain identifiers
and no Mermaid keyword; every arrow and class must name declared nodes; labels must hold no quote,
bracket or markup that would end them (only `<br/>` and entity codes such as `#quot;`).

    check_mermaid('flowchart LR\\n    a["x"]\\n    a --> b\\n') -> ["line 3: arrow to undeclared node 'b'"]

No Mermaid runtime is used: its CLI needs a headless browser, which the test machines do not have.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

ID = r"[A-Za-z_][A-Za-z0-9_]*"
LABEL = r'"(?P<label>[^"]*)"'
KEYWORDS = frozenset(
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
SUBGRAPH = re.compile(rf"subgraph (?P<id>{ID})\[{LABEL}\]")
NODE = re.compile(rf"(?P<id>{ID})\[{LABEL}\]")
ARROW = re.compile(rf"(?P<src>{ID}) (?:-->|-\.->\|(?P<elabel>[A-Za-z_ ]+)\|) (?P<dst>{ID})")
CLASSDEF = re.compile(r"classDef (?P<name>[a-z]+) [a-z-]+:[#\w]+(?:,[a-z-]+:[#\w]+)*")
CLASS = re.compile(rf"class (?P<ids>{ID}(?:,{ID})*) (?P<name>[a-z]+)")
ENTITY = re.compile(r"#(?:[a-z]+|\d+);")
_Handler = Callable[[int, re.Match[str]], None]


def check_mermaid(text: str) -> list[str]:
    """Every problem found, as `line N: what`; see the module docstring."""
    lines, problems = _front_matter(text.splitlines())
    state = _State()
    for number, line in lines:
        state.read(number, line.strip())
    return problems + state.finish()


def label_problem(label: str) -> str | None:
    """Why a label would break the flowchart, or None."""
    bare = ENTITY.sub("", label.replace("<br/>", ""))
    bad = sorted(set(bare) & set('"<>`#&[]{}|;\n'))
    if bad:
        return f"label {label!r} holds {''.join(bad)!r} outside entity codes"
    return None


def _front_matter(lines: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """The statements after the front matter (only `title: "<JSON string>"` is allowed in it)."""
    numbered = list(enumerate(lines, start=1))
    problems: list[str] = []
    if lines and lines[0] == "---":
        close = lines.index("---", 1)
        for number, line in numbered[1:close]:
            if not _is_title(line):
                problems.append(f"line {number}: front matter holds {line!r}")
        numbered = numbered[close + 1 :]
    kept = [(n, line) for n, line in numbered if line.strip() and not line.strip().startswith("%%")]
    return kept, problems


def _is_title(line: str) -> bool:
    if not line.startswith('title: "'):
        return False
    try:
        return isinstance(json.loads(line.removeprefix("title: ")), str)
    except ValueError:
        return False


class _State:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.header = False
        self.depth = 0
        self.nodes: set[str] = set()
        self.subgraphs: set[str] = set()
        self.uses: list[tuple[int, str, str]] = []
        self.classes: set[str] = set()

    def read(self, number: int, line: str) -> None:
        if not self.header:
            self.header = line == "flowchart LR"
            if not self.header:
                self.problems.append(f"line {number}: expected 'flowchart LR', got {line!r}")
            return
        for pattern, handle in self._handlers():
            found = pattern.fullmatch(line)
            if found:
                handle(number, found)
                return
        if line == "end":
            self._end(number)
            return
        self.problems.append(f"line {number}: not a statement this grammar knows: {line!r}")

    def _handlers(self) -> list[tuple[re.Pattern[str], _Handler]]:
        return [
            (SUBGRAPH, self._subgraph),
            (NODE, self._node),
            (ARROW, self._arrow),
            (CLASSDEF, self._classdef),
            (CLASS, self._class),
        ]

    def _declare(self, number: int, node_id: str, label: str, into: set[str]) -> None:
        if node_id.lower() in KEYWORDS:
            self.problems.append(f"line {number}: id {node_id!r} is a Mermaid keyword")
        if node_id in self.nodes | self.subgraphs:
            self.problems.append(f"line {number}: id {node_id!r} declared twice")
        into.add(node_id)
        problem = label_problem(label)
        if problem:
            self.problems.append(f"line {number}: {problem}")

    def _subgraph(self, number: int, found: re.Match[str]) -> None:
        self._declare(number, found["id"], found["label"], self.subgraphs)
        self.depth += 1

    def _node(self, number: int, found: re.Match[str]) -> None:
        self._declare(number, found["id"], found["label"], self.nodes)

    def _end(self, number: int) -> None:
        self.depth -= 1
        if self.depth < 0:
            self.problems.append(f"line {number}: 'end' without a subgraph")
            self.depth = 0

    def _arrow(self, number: int, found: re.Match[str]) -> None:
        self.uses += [(number, "arrow from", found["src"]), (number, "arrow to", found["dst"])]

    def _classdef(self, number: int, found: re.Match[str]) -> None:
        self.classes.add(found["name"])

    def _class(self, number: int, found: re.Match[str]) -> None:
        self.uses += [(number, "class on", node) for node in found["ids"].split(",")]
        if found["name"] not in self.classes:
            self.problems.append(f"line {number}: class {found['name']!r} has no classDef")

    def finish(self) -> list[str]:
        if not self.header:
            self.problems.append("no 'flowchart LR' line")
        if self.depth:
            self.problems.append(f"{self.depth} subgraph(s) not closed with 'end'")
        for number, what, node in self.uses:
            if node not in self.nodes:
                self.problems.append(f"line {number}: {what} undeclared node {node!r}")
        return self.problems
