"""What the names a transform uses stand for: pyspark's functions, a helper, a module, a value.

Input: the compiler's copied support code (`ir.CodeBlock`s: imports, helpers, constants) or, for the
interpreted runner, a function's globals and closure. Output: a `Names` the transform analysis asks
about each name, so both paths judge a transform by the same rules.

    from pyspark.sql import functions as F      ->  names("F") == Meaning("functions")
    from pyspark.sql.functions import rand      ->  names("rand") == Meaning("function", "rand")
    def helper(df): ...                          ->  names("helper") == Meaning("helper", source=...)
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

FUNCTIONS_MODULES = frozenset({"pyspark.sql.functions", "pyspark.sql.connect.functions"})


@dataclass(frozen=True, slots=True)
class Meaning:
    """`kind`: functions (pyspark.sql.functions), function (one of them, `name`), helper (user code
    with `source`, first line `line` of `file`), module (another module, `name`), value, builtin,
    unknown."""

    kind: str
    name: str = ""
    source: str = ""
    file: str = ""
    line: int = 0


UNKNOWN = Meaning("unknown")


# What a name a transform uses stands for.
Names = Callable[[str], Meaning]


def _otherwise(name: str) -> Meaning:
    return Meaning("builtin", name) if hasattr(builtins, name) else UNKNOWN


def _module_meaning(module: str) -> Meaning:
    return Meaning("functions") if module in FUNCTIONS_MODULES else Meaning("module", module)


def _import_meanings(node: ast.Import | ast.ImportFrom) -> Iterable[tuple[str, Meaning]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, _module_meaning(alias.name)
            else:
                yield alias.name.split(".")[0], Meaning("module", alias.name.split(".")[0])
        return
    module = node.module or ""
    for alias in node.names:
        local = alias.asname or alias.name
        full = f"{module}.{alias.name}"
        if full in FUNCTIONS_MODULES:
            yield local, Meaning("functions")
        elif module in FUNCTIONS_MODULES:
            yield local, Meaning("function", alias.name)
        else:
            yield local, Meaning("module" if module.startswith("pyspark") else "value", full)


def names_from_code(blocks: Iterable[Any]) -> Names:
    """From the compiler's support blocks (`name`, `source`, `span`)."""
    table: dict[str, Meaning] = {}
    for block in blocks:
        try:
            body = ast.parse(textwrap.dedent(block.source)).body
        except SyntaxError:
            continue
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                table.update(_import_meanings(node))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                span = block.span
                table[node.name] = Meaning(
                    "helper", node.name, block.source, span.file if span else "", span.line if span else 0
                )
            elif isinstance(node, ast.ClassDef):
                table[node.name] = UNKNOWN
            else:
                table.setdefault(block.name, Meaning("value", block.name))
    return lambda name: table[name] if name in table else _otherwise(name)


def _object_meaning(name: str, value: Any) -> Meaning:
    if isinstance(value, types.ModuleType):
        return _module_meaning(value.__name__)
    module = getattr(value, "__module__", "") or ""
    if callable(value) and module.startswith(tuple(FUNCTIONS_MODULES)):
        return Meaning("function", getattr(value, "__name__", name))
    if isinstance(value, types.FunctionType):
        found = function_source(value)
        if found is None:
            return UNKNOWN
        source, file, line = found
        return Meaning("helper", value.__name__, source, file, line)
    if callable(value):
        return Meaning("module", module) if module.startswith("pyspark") else UNKNOWN
    return Meaning("value", name)


def names_from_function(func: Callable[..., Any]) -> Names:
    """From a function's globals and closure (the interpreted runner)."""
    scope: dict[str, Any] = dict(getattr(func, "__globals__", {}))
    closure = getattr(func, "__closure__", None) or ()
    for var, cell in zip(getattr(func.__code__, "co_freevars", ()), closure, strict=False):
        try:
            scope[var] = cell.cell_contents
        except ValueError:
            continue
    # computed on use: a module's globals are many, a transform uses few
    return lambda name: _object_meaning(name, scope[name]) if name in scope else _otherwise(name)


def function_source(func: Callable[..., Any]) -> tuple[str, str, int] | None:
    """The source of `func` (a def, or the lambda cut out of its line), its file and first line."""
    try:
        lines, first = inspect.getsourcelines(func)
        file = inspect.getsourcefile(func) or ""
    except (OSError, TypeError):
        return None
    source = textwrap.dedent("".join(lines))
    if getattr(func, "__name__", "") != "<lambda>":
        return source, file, first
    lambdas = _lambdas(source)
    if len(lambdas) != 1:
        return None  # several lambdas on one line: which one is ours is not knowable from source
    return lambdas[0], file, first


def _lambdas(source: str) -> list[str]:
    for text in (source, f"(\n{source}\n)"):
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        return [ast.get_source_segment(text, n) or "" for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
    return []
