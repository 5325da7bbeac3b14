"""Read what a block of user code binds at module level, so the job neither shadows nor repeats it.

Input: the verbatim source of one `ir.CodeBlock` (an import, a constant, a helper). Output: the names
it binds, each with the dotted import target it stands for (None for anything that is not an import).

    bindings("from pyspark.sql import functions as F")  ->  {"F": "pyspark.sql.functions"}
    bindings("def helper(x):\\n    return x")            ->  {"helper": None}
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable


def _tree(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


def _import_bindings(node: ast.Import | ast.ImportFrom) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for alias in node.names:
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found[alias.asname or alias.name] = f"{module}.{alias.name}"
        elif alias.asname:
            found[alias.asname] = alias.name
        else:
            top = alias.name.split(".")[0]
            found[top] = top
    return found


def _targets(node: ast.AST) -> Iterable[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            yield child.id


def bindings(source: str) -> dict[str, str | None]:
    """Module-level names bound by `source`, in order of appearance."""
    found: dict[str, str | None] = {}
    for node in _tree(source).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(_import_bindings(node))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = None
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found.update((name, None) for t in targets for name in _targets(t))
    return found


def is_future_import(source: str) -> bool:
    body = _tree(source).body
    return bool(body) and all(
        isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in body
    )


def future_names(sources: Iterable[str]) -> tuple[str, ...]:
    """Every `__future__` feature the user's code asks for, plus `annotations`, sorted."""
    names = {"annotations"}
    for source in sources:
        if is_future_import(source):
            names |= {a.name for n in _tree(source).body for a in getattr(n, "names", ())}
    return tuple(sorted(names))


def imported_modules(source: str) -> tuple[str, ...]:
    """Top-level modules that `source` imports (absolute imports only)."""
    modules: list[str] = []
    for node in _tree(source).body:
        if isinstance(node, ast.Import):
            modules.extend(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module.split(".")[0])
    return tuple(dict.fromkeys(modules))
