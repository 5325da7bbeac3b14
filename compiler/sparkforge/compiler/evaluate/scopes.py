"""The names a block of statements binds, so that the frontend can look a name up without running code.

Input: the statements of a module (or of the function that builds the pipeline) and its parameters.
Output: a `Block` mapping each name to its `Binding`s: what binds it (assignment, def, class, import,
parameter) and whether that happens inside a loop or conditional, where its value is unknowable.

    X = 1; from pyspark.sql import functions as F; for t in T: Y = t
    -> Block(names={"X": (ASSIGN,), "F": (IMPORT pyspark.sql.functions,), "t": (NESTED,), "Y": (NESTED,)})

Lookups go through dicts built once, so resolving a name costs the same in a 10-line file and in a
10,000-line one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_full_name_for_node


class Kind(enum.Enum):
    ASSIGN = "assign"  # NAME = value, NAME: T = value, A, B = value (with the item's path)
    DEF = "def"
    CLASS = "class"
    IMPORT = "import"
    PARAM = "param"
    OTHER = "other"  # augmented or starred assignment: no single expression holds the value
    NESTED = "nested"  # bound inside for/while/if/try/with/match: may happen zero or many times


@dataclass(frozen=True, slots=True, eq=False)
class Binding:
    """One place where `name` is bound, directly or inside a compound statement of the block."""

    name: str
    kind: Kind
    statement: cst.CSTNode  # the statement of the block that contains the binding
    node: cst.CSTNode  # the target Name, the def, the import alias or the parameter
    value: cst.BaseExpression | None = None  # ASSIGN: the assigned expression
    module: str | None = None  # IMPORT: module as written, leading dots kept (".transforms")
    attr: str | None = None  # IMPORT from: the imported name
    where: str = ""  # NESTED: the compound statement's keyword ("for", "if"); ":=" for a walrus
    # ASSIGN by unpacking: (index, number of names) at each level (`A, (B, C) = ...`: C ((1, 2), (1, 2)))
    path: tuple[tuple[int, int], ...] = ()

    @property
    def origin(self) -> str:
        """IMPORT: the dotted name the binding stands for (`pyspark.sql.functions`)."""
        return f"{self.module}.{self.attr}" if self.attr else self.module or ""


@dataclass(frozen=True, slots=True)
class Block:
    names: Mapping[str, tuple[Binding, ...]] = field(default_factory=dict)
    statements: tuple[cst.CSTNode, ...] = ()

    def get(self, name: str) -> tuple[Binding, ...]:
        return self.names.get(name, ())


MAIN_GUARD = m.If(
    test=m.Comparison(
        left=m.Name("__name__"),
        comparisons=[m.ComparisonTarget(m.Equal(), m.SimpleString('"__main__"') | m.SimpleString("'__main__'"))],
    ),
    orelse=None,
)
# `if TYPE_CHECKING:` imports name the types in annotations; the job imports them for real, so that
# its annotations resolve (and pass linters), which is harmless since these are importable modules.
TYPE_CHECKING_GUARD = m.If(
    test=m.Name("TYPE_CHECKING") | m.Attribute(value=m.Name("typing"), attr=m.Name("TYPE_CHECKING")),
    orelse=None,
)
_KEYWORDS: dict[type[cst.CSTNode], str] = {
    cst.For: "for", cst.While: "while", cst.If: "if", cst.Try: "try", cst.TryStar: "try",
    cst.With: "with", cst.Match: "match",
}  # fmt: skip


def module_statements(tree: cst.Module) -> tuple[cst.CSTNode, ...]:
    """Top-level statements; the bodies of `if __name__ == "__main__":` and `if TYPE_CHECKING:`
    count as top level."""
    return tuple(_flatten(tree.body))


def _flatten(body: Sequence[cst.CSTNode]) -> Iterable[cst.CSTNode]:
    for statement in body:
        if m.matches(statement, MAIN_GUARD) or m.matches(statement, TYPE_CHECKING_GUARD):
            assert isinstance(statement, cst.If)
            yield from _flatten(statement.body.body)
        else:
            yield statement


def function_statements(func: cst.FunctionDef) -> tuple[cst.CSTNode, ...]:
    return tuple(func.body.body)


def index_block(statements: Sequence[cst.CSTNode], params: cst.Parameters | None,
                extra: Iterable[Binding] = ()) -> Block:  # fmt: skip
    found: dict[str, list[Binding]] = {}
    for binding in (*_param_bindings(params), *_statement_bindings(statements), *extra):
        found.setdefault(binding.name, []).append(binding)
    return Block({name: tuple(b) for name, b in found.items()}, tuple(statements))


def _param_bindings(params: cst.Parameters | None) -> Iterable[Binding]:
    if params is None:
        return
    star = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    for param in (*params.posonly_params, *params.params, *params.kwonly_params, *star):
        yield Binding(param.name.value, Kind.PARAM, param, param)


def _statement_bindings(statements: Sequence[cst.CSTNode]) -> Iterable[Binding]:
    for statement in statements:
        yield from _STATEMENTS.get(type(statement), _nested_bindings)(statement)


def _line_bindings(statement: cst.CSTNode) -> Iterable[Binding]:
    assert isinstance(statement, cst.SimpleStatementLine)
    for small in statement.body:
        handler = _SMALL_STATEMENTS.get(type(small))
        if handler is not None:
            yield from handler(statement, small)


def _def_bindings(statement: cst.CSTNode) -> Iterable[Binding]:
    assert isinstance(statement, cst.FunctionDef | cst.ClassDef)
    kind = Kind.DEF if isinstance(statement, cst.FunctionDef) else Kind.CLASS
    yield Binding(statement.name.value, kind, statement, statement)


def _assign_bindings(statement: cst.CSTNode, small: cst.CSTNode) -> Iterable[Binding]:
    assert isinstance(small, cst.Assign)
    for target in small.targets:
        paths = dict(_unpacked(target.target, ()))
        for name in _target_names(target.target):
            path = paths.get(name)
            kind = Kind.ASSIGN if path is not None else Kind.OTHER
            yield Binding(name.value, kind, statement, name, small.value, path=path or ())


def _unpacked(target: cst.BaseExpression, path: tuple[tuple[int, int], ...]
              ) -> Iterable[tuple[cst.Name, tuple[tuple[int, int], ...]]]:  # fmt: skip
    """Each name of a target with the position of its item: `A, (B, C)` -> A ((0, 2),),
    B ((1, 2), (0, 2)) ...
    A starred target (`A, *REST = ...`) has no fixed position: its names are left out."""
    if isinstance(target, cst.Name):
        yield target, path
    elif isinstance(target, cst.Tuple | cst.List) and not any(
        isinstance(e, cst.StarredElement) for e in target.elements
    ):
        for index, element in enumerate(target.elements):
            yield from _unpacked(element.value, (*path, (index, len(target.elements))))


def _annotated_bindings(statement: cst.CSTNode, small: cst.CSTNode) -> Iterable[Binding]:
    assert isinstance(small, cst.AnnAssign)
    if small.value is None:  # `x: int` alone binds nothing at run time
        return
    for name in _target_names(small.target):
        yield Binding(name.value, Kind.ASSIGN, statement, name, small.value)


def _augmented_bindings(statement: cst.CSTNode, small: cst.CSTNode) -> Iterable[Binding]:
    assert isinstance(small, cst.AugAssign)
    for name in _target_names(small.target):
        yield Binding(name.value, Kind.OTHER, statement, name)


def _import_bindings(statement: cst.CSTNode, small: cst.CSTNode) -> Iterable[Binding]:
    assert isinstance(small, cst.Import)
    for alias in small.names:
        full = alias.evaluated_name
        local = alias.evaluated_alias or full.split(".")[0]
        module = full if alias.asname else local
        yield Binding(local, Kind.IMPORT, statement, alias, module=module)


def _from_bindings(statement: cst.CSTNode, small: cst.CSTNode) -> Iterable[Binding]:
    assert isinstance(small, cst.ImportFrom)
    dots = "." * len(small.relative)
    module = dots + ((get_full_name_for_node(small.module) or "") if small.module else "")
    if isinstance(small.names, cst.ImportStar):
        yield Binding("*", Kind.IMPORT, statement, small, module=module, attr="*")
        return
    for alias in small.names:
        name = alias.evaluated_name
        yield Binding(alias.evaluated_alias or name, Kind.IMPORT, statement, alias, module=module, attr=name)


def _target_names(target: cst.BaseExpression) -> Iterable[cst.Name]:
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def _nested_bindings(statement: cst.CSTNode) -> Iterable[Binding]:
    collector = _NestedNames()
    statement.visit(collector)
    where = _KEYWORDS.get(type(statement), "block")
    for name, node in collector.found:
        yield Binding(name, Kind.NESTED, statement, node, where=where)


class _NestedNames(cst.CSTVisitor):
    """Every name a compound statement binds, without entering nested functions or classes."""

    def __init__(self) -> None:
        self.found: list[tuple[str, cst.CSTNode]] = []

    def _add(self, target: cst.BaseExpression) -> None:
        self.found.extend((name.value, name) for name in _target_names(target))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._add(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._add(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._add(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._add(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        if isinstance(node.name, cst.BaseExpression):
            self._add(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            self.found.append((node.evaluated_name.split(".")[0], node))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.found.append((node.name.value, node))
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.found.append((node.name.value, node))
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


_STATEMENTS = {
    cst.SimpleStatementLine: _line_bindings,
    cst.FunctionDef: _def_bindings,
    cst.ClassDef: _def_bindings,
}
_SMALL_STATEMENTS = {
    cst.Assign: _assign_bindings,
    cst.AnnAssign: _annotated_bindings,
    cst.AugAssign: _augmented_bindings,
    cst.Import: _import_bindings,
    cst.ImportFrom: _from_bindings,
}


def walrus_bindings(walruses: Iterable[cst.NamedExpr], statements: Sequence[cst.CSTNode],
                    parents: Mapping[cst.CSTNode, cst.CSTNode]) -> Iterable[Binding]:
    """`(name := value)` written in the statements of a block (not in a nested function, lambda,
    class or comprehension): bound by the statement that holds it, nested when that statement is
    a loop or conditional. `where=":="` tells the copied code not to take that statement along."""
    top = set(statements)
    for walrus in walruses:
        if not isinstance(walrus.target, cst.Name):
            continue
        node: cst.CSTNode | None = parents.get(walrus)
        while node is not None and node not in top and not isinstance(node, _SCOPES):
            node = parents.get(node)
        if node is None or node not in top:
            continue
        if isinstance(node, cst.SimpleStatementLine):
            yield Binding(walrus.target.value, Kind.ASSIGN, node, walrus.target, walrus.value, where=":=")
        else:
            yield Binding(walrus.target.value, Kind.NESTED, node, walrus.target,
                          where=_KEYWORDS.get(type(node), "block"))


_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp,
           cst.GeneratorExp)  # fmt: skip
