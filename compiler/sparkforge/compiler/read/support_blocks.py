"""The code pieces `collect_support` found, turned into ordered, de-duplicated `ir.CodeBlock`s.

Input: the statements and import names a job needs, with the files they come from. Output: the
`CodeBlock`s in job order (imports first, then modules beside the pipeline before the pipeline, then
by line), each import statement cut down to the names used and each block with the names it binds
(what an import stands for included, so the backend need not parse it), and SF307 for two different
definitions of one name (the job is a single module, so they would overwrite each other).

    from pyspark.sql import functions as F, types as T   (only F used)
    -> CodeBlock("F", "from pyspark.sql import functions as F", binds=(Bound("F", "pyspark.sql.functions"),))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst
import libcst.helpers

from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.evaluate.scopes import Binding, Kind, index_block
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.unit import CodeRef
from sparkforge.ir import Bound, CodeBlock, Span

Owner = tuple[str, Span]  # who defines a name in the job: a description and where


@dataclass(slots=True)
class SupportBlocks:
    statements: dict[cst.CSTNode, SourceFile] = field(default_factory=dict)
    imports: dict[cst.CSTNode, tuple[SourceFile, dict[cst.CSTNode, Binding]]] = field(default_factory=dict)

    def add(self, file: SourceFile, statement: cst.CSTNode, local: bool) -> None:
        self.statements.setdefault(statement, file)

    def add_import(self, file: SourceFile, binding: Binding) -> None:
        entry = self.imports.setdefault(binding.statement, (file, {}))
        entry[1].setdefault(binding.node, binding)

    def add_star_name(self, file: SourceFile, star: Binding, name: str) -> None:
        """`name` from `from M import *`: the job imports it by name (a `*` would hide what the
        job uses, and linters reject it)."""
        entry = self.imports.setdefault(star.statement, (file, {}))
        if not any(b.name == name and b.attr == name for b in entry[1].values()):
            alias = cst.ImportAlias(name=cst.Name(name))
            entry[1][alias] = Binding(name, star.kind, star.statement, alias, module=star.module, attr=name)

    def build(self, files: Sequence[SourceFile], transforms: Sequence[CodeRef]
              ) -> tuple[tuple[CodeBlock, ...], list[Diagnostic]]:  # fmt: skip
        rank = {f.module: (i if i else len(files)) for i, f in enumerate(files)}
        names = _Names(_transform_owners(transforms))
        blocks = [*self._import_blocks(rank, names), *self._statement_blocks(rank, names)]
        return tuple(blocks), names.clashes

    def _import_blocks(self, rank: dict[str, int], names: _Names) -> Iterable[CodeBlock]:
        order = sorted(self.imports.items(), key=lambda kv: _position(kv[1][0], kv[0], rank))
        for statement, (file, used) in order:
            assert isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body:
                block = _import_block(file, small, used, names)
                if block is not None:
                    yield block

    def _statement_blocks(self, rank: dict[str, int], names: _Names) -> Iterable[CodeBlock]:
        order = sorted(self.statements.items(), key=lambda kv: _position(kv[1], kv[0], rank))
        for statement, file in order:
            span = file.span(_anchor(statement))
            bound = index_block((statement,), None).names
            for name in bound:
                names.claim(name, (f"{file.name} line {span.line}", span), None)
            binds = tuple(_bound(found[-1]) for found in bound.values())  # the last one stays bound
            yield CodeBlock(", ".join(bound), file.code(statement), span, binds)


def _position(file: SourceFile, node: cst.CSTNode, rank: dict[str, int]) -> tuple[int, int, int]:
    span = file.span(node)
    return rank[file.module], span.line, span.column


def _anchor(statement: cst.CSTNode) -> cst.CSTNode:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return statement.name
    if isinstance(statement, cst.SimpleStatementLine):
        return statement.body[0]
    return statement


def _import_block(file: SourceFile, small: cst.BaseSmallStatement,
                  used: dict[cst.CSTNode, Binding], names: _Names) -> CodeBlock | None:  # fmt: skip
    """The import cut down to the names used and not imported already by an earlier block."""
    if not isinstance(small, cst.Import | cst.ImportFrom):
        return None
    span = file.span(small)
    aliases: Sequence[cst.ImportAlias] = (
        sorted((a for a in used if isinstance(a, cst.ImportAlias) and used[a].node is a
                and used[a].module == _star_module(small)), key=lambda a: used[a].name)
        if isinstance(small.names, cst.ImportStar) else small.names
    )  # fmt: skip
    kept = [a for a in aliases if a in used
            and names.claim(used[a].name, (f"{file.name} line {span.line}", span), used[a].origin)]  # fmt: skip
    if not kept:
        return None
    bound = ", ".join(used[a].name for a in kept)
    binds = tuple(_bound(used[a]) for a in kept)
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)  # no trailing comma
    line = cst.SimpleStatementLine(body=[small.with_changes(names=kept)])
    return CodeBlock(bound, file.tree.code_for_node(line).strip(), span, binds)


def _bound(binding: Binding) -> Bound:
    """What the job needs to know of a name a copied block binds: what an import stands for."""
    return Bound(binding.name, binding.origin if binding.kind is Kind.IMPORT else None)


def _star_module(small: cst.ImportFrom) -> str | None:
    module = small.module
    return None if module is None or small.relative else cst.helpers.get_full_name_for_node(module)


def _transform_owners(transforms: Sequence[CodeRef]) -> dict[str, tuple[Owner, str | None, cst.CSTNode]]:
    owners: dict[str, tuple[Owner, str | None, cst.CSTNode]] = {}
    for ref in transforms:
        if isinstance(ref.node, cst.FunctionDef):
            span = ref.file.span(ref.node.name)
            owners.setdefault(ref.node.name.value, ((f"{ref.file.name} line {span.line}", span), None, ref.node))
    return owners


@dataclass(slots=True)
class _Names:
    """Which block defines each name of the job; a second, different definition is SF307."""

    transforms: dict[str, tuple[Owner, str | None, cst.CSTNode]]
    owners: dict[str, tuple[Owner, str | None]] = field(default_factory=dict)
    clashes: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, (owner, origin, _) in self.transforms.items():
            self.owners[name] = (owner, origin)

    def claim(self, name: str, owner: Owner, origin: str | None) -> bool:
        """True when `name` is new; False for an import already made (same origin)."""
        first = self.owners.get(name)
        if first is None:
            self.owners[name] = (owner, origin)
            return True
        if origin is not None and first[1] == origin:
            return False
        if first[0] == owner:
            return True
        self.clashes.append(Diagnostic(
            "SF307", f"{name!r} is defined both here and in {first[0][0]}; the job holds all copied "
            "code in one module, so one would replace the other", owner[1],
            "rename one of them"))  # fmt: skip
        return False
