"""The shape of the code base, checked: no import cycles, no module over 300 lines, and a runtime
that imports nothing of the compiler.

Imports are read with `ast` from every module of `sparkforge` and `sparkforge_runtime`, including
the ones inside functions and under `if TYPE_CHECKING:` (a type-only cycle is still a layering
knot). Cycles are the strongly connected components of that graph. Today's offenders are listed in
KNOWN_CYCLES and LONG_MODULES: anything new fails now, an offender may not get worse, and an entry
that no longer applies fails too, so the lists only shrink.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "sparkforge": ROOT / "compiler" / "sparkforge",
    "sparkforge.templates": ROOT / "templates",
    "sparkforge_runtime": ROOT / "runtime" / "sparkforge_runtime",
}
MAX_LINES = 300

# Import cycles that predate this test; remove an entry when its cycle is broken.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()

# Modules over MAX_LINES that predate this test, with their line count then; they may only shrink.
LONG_MODULES: dict[str, int] = {}

RUNTIME_MAY_IMPORT = {"pyspark", "py4j", "delta", *sys.stdlib_module_names}  # py4j: pyspark's own
# Optional extras, imported inside functions only when the feature is on.
RUNTIME_OPTIONAL = {"sparkforge_runtime.lineage_events": {"openlineage"}}


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the three packages."""
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imported_names(module: str, path: Path) -> Iterator[str]:
    """Every dotted name `module` imports: `import a.b` gives `a.b`; `from a import b` gives `a.b`
    when that is one of our modules, else `a` (the parent packages Python loads on the way are not
    counted: they are implied by any import of a submodule)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield full if full in MODULES else base


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    anchor = parts[: len(parts) - node.level + is_package]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def _internal_target(name: str) -> str | None:
    """The module of ours that an import of `name` loads (its longest prefix that is one)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if (candidate := ".".join(parts[:end])) in MODULES:
            return candidate
    return None


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of ours it imports."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_internal_target(name) for name in _imported_names(module, path)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for child in graph[todo.pop()] - seen:
            seen.add(child)
            todo.append(child)
    return seen


def strongly_connected(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The import cycles: groups of modules that all reach one another (the graph is small, so
    plain reachability sets do)."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {frozenset({n, *(m for m in reach[n] if n in reach[m])}) for n in graph if n in reach[n]}
    return sorted(groups, key=sorted)


GRAPH = import_graph()
CYCLES = strongly_connected(GRAPH)


def _show(component: frozenset[str]) -> str:
    return " <-> ".join(sorted(component))


def test_the_graph_sees_the_package() -> None:
    assert "sparkforge.builder" in GRAPH and "sparkforge_runtime.scheduler" in GRAPH
    assert "sparkforge.graph" in GRAPH["sparkforge.builder"]
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        frozenset({"a", "b", "c"})]


def test_no_new_import_cycles() -> None:
    new = [_show(c) for c in CYCLES if c not in KNOWN_CYCLES]
    assert not new, "import cycles (types several modules need belong in a module below them):\n" + (
        "\n".join(new))


def test_known_cycles_are_still_cycles() -> None:
    gone = [_show(c) for c in KNOWN_CYCLES if c not in CYCLES]
    assert not gone, "these cycles are fixed (or changed): update KNOWN_CYCLES:\n" + "\n".join(gone)


def test_runtime_imports_nothing_of_the_compiler() -> None:
    wrong = sorted(
        f"{module} -> {target}" for module, targets in GRAPH.items()
        if module.startswith("sparkforge_runtime") for target in targets
        if not target.startswith("sparkforge_runtime")
    )
    assert not wrong


def test_runtime_imports_only_pyspark_delta_and_the_standard_library() -> None:
    wrong = sorted(
        f"{module} imports {name}" for module, path in MODULES.items()
        if module.startswith("sparkforge_runtime") for name in _imported_names(module, path)
        if name and name.split(".")[0] not in RUNTIME_MAY_IMPORT | {"sparkforge_runtime"}
        | RUNTIME_OPTIONAL.get(module, set())
    )
    assert not wrong


def test_optional_extras_are_imported_only_inside_functions() -> None:
    for module, extras in RUNTIME_OPTIONAL.items():
        tree = ast.parse(MODULES[module].read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] in extras], f"{module} imports an extra at load"


def _line_count(path: Path) -> int:
    return len(path.read_text().splitlines())


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_short(module: str) -> None:
    lines = _line_count(MODULES[module])
    limit = LONG_MODULES.get(module, MAX_LINES)
    assert lines <= limit, f"{module} has {lines} lines (limit {limit}): split it by role"


def test_long_module_allow_list_is_current() -> None:
    stale = [m for m in LONG_MODULES if m not in MODULES or _line_count(MODULES[m]) <= MAX_LINES]
    assert not stale, f"no longer over {MAX_LINES} lines (or gone): remove from LONG_MODULES: {stale}"
