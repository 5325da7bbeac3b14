"""Frontend pass: collect the user code the transforms and Column rules need, transitively, each piece once.

Input: the transforms' and Column rules' code (`Unit.transforms`, `Unit.rule_code`). Output:
`Pipeline.support`, one `ir.CodeBlock` per import statement (only the names used), top-level def or
class, or assignment, copied verbatim: imports first, then by file (modules beside the pipeline before
the pipeline) and line. Imports of sparkforge and of the sibling modules are dropped, since the code
they stand for is copied. Diagnostics: a name the job could not have (SF306: a parameter, a name bound
in a loop or conditional, undefined, from sparkforge, a whole sibling module, an alias of a sibling
function) and two copied definitions of one name (SF307).

    def clean(spark, df, prior): return df.filter(F.col("x") > LIMIT)
    -> support=(CodeBlock("F", "from pyspark.sql import functions as F"), CodeBlock("LIMIT", "LIMIT = 5"))
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.evaluate.free_names import free_names
from sparkforge.compiler.evaluate.lookup import sibling_candidates, star_binding
from sparkforge.compiler.evaluate.scopes import Binding, Block, Kind
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.support_blocks import SupportBlocks
from sparkforge.compiler.read.unit import CodeRef, Unit

_MODULE_GLOBALS = frozenset({"__name__", "__file__", "__doc__", "__builtins__", "__spec__"})


def collect_support(unit: Unit) -> Unit:
    pipeline = unit.pipeline
    if pipeline is None or unit.main is None:
        return unit
    transforms = tuple(ref for ref in unit.transforms if ref is not None)
    collector = _Collector(unit, {ref.node for ref in transforms})
    for ref in (*transforms, *unit.rule_code):
        collector.visit(ref)
    support, clashes = collector.blocks.build(unit.files, transforms)
    new = dataclasses.replace(pipeline, support=support)
    return dataclasses.replace(unit.report(*collector.diagnostics, *clashes), pipeline=new)


@dataclass(slots=True)
class _Collector:
    unit: Unit
    transforms: set[cst.CSTNode]
    blocks: SupportBlocks = field(default_factory=SupportBlocks)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _done: set[cst.CSTNode] = field(default_factory=set)

    def visit(self, root: CodeRef) -> None:
        """Worklist over code pieces; each piece is analysed once however many steps use it."""
        todo = [root]
        while todo:
            ref = todo.pop()
            if ref.node in self._done:
                continue
            self._done.add(ref.node)
            todo.extend(self._needs(ref))

    def _needs(self, ref: CodeRef) -> Iterable[CodeRef]:
        statement = not isinstance(ref.node, cst.BaseExpression)
        try:
            names = free_names(ref.file.code(ref.node), statement=statement)
        except SyntaxError as err:
            self._report(ref, None, f"this code cannot be copied on its own: {err.msg}",
                         "move what it refers to to the top level of the module")  # fmt: skip
            return
        for name in names:
            yield from self._resolve(ref, name)

    def _resolve(self, ref: CodeRef, name: str) -> Iterable[CodeRef]:
        blocks = (ref.local, ref.file.block) if ref.local else (ref.file.block,)
        for block in blocks:
            found = block.get(name)
            if found:
                yield from self._bound(ref, name, found, block if block is ref.local else None)
                return
        if hasattr(builtins, name) or name in _MODULE_GLOBALS:
            return
        provider = star_binding(name, blocks)
        if provider is not None:  # the job imports the name itself: `from pyspark.sql.functions import col`
            self.blocks.add_star_name(ref.file, provider, name)
            return
        star = any(block.get("*") for block in blocks)
        why = "may come from a `*` import, which the compiler cannot follow," if star else "is not defined"
        self._report(ref, name, f"{name!r} {why} in {ref.file.name}",
                     "import it by name, or define it at the top level of the file")

    def _bound(self, ref: CodeRef, name: str, found: tuple[Binding, ...], local: Block | None
               ) -> Iterable[CodeRef]:  # fmt: skip
        for binding in found:
            if binding.kind is Kind.PARAM:
                self._report(ref, name, f"{name!r} is a parameter of the function that builds the "
                             "pipeline; the compiled job cannot know its value",
                             "use a module-level constant instead")  # fmt: skip
            elif binding.kind is Kind.NESTED:
                self._report(ref, name, f"{name!r} is bound inside a `{binding.where}` statement; "
                             "the compiler copies only top-level definitions",
                             "define it once at the top level of the module")  # fmt: skip
            elif binding.where == ":=":
                self._report(ref, name, f"{name!r} is bound by `:=` inside a statement the job "
                             "does not copy", "assign it with `NAME = value` at the top level")
            elif binding.kind is Kind.IMPORT:
                yield from self._imported(ref, name, binding)
            elif binding.statement not in self.transforms:
                self.blocks.add(ref.file, binding.statement, local is not None)
                yield CodeRef(ref.file, binding.statement, local)

    def _imported(self, ref: CodeRef, name: str, binding: Binding) -> Iterable[CodeRef]:
        origin = binding.origin
        if origin == "__future__" or origin.startswith("__future__."):
            return
        if origin == "sparkforge" or origin.startswith("sparkforge."):
            self._report(ref, name, f"{name!r} comes from sparkforge, which the job does not ship "
                         "(it imports only the thin runtime)", "use pyspark directly in transforms")
            return
        for module, attr in sibling_candidates(binding):
            sibling = self.unit.file(module)
            if sibling is not None:
                yield from self._sibling(ref, name, sibling, attr)
                return
        if (binding.module or "").startswith("."):
            self._report(ref, name, f"{name!r} comes from {binding.module!r}, which is not a "
                         "module beside the pipeline", "import it from an installed package")
            return
        self.blocks.add_import(ref.file, binding)

    def _sibling(self, ref: CodeRef, name: str, sibling: SourceFile, attr: str | None
                 ) -> Iterable[CodeRef]:  # fmt: skip
        if attr is None:
            self._report(ref, name, f"the job copies code from {sibling.name} but not the module "
                         f"{name!r} itself", f"import the names you use: from {sibling.module} import ...")
        elif attr != name:
            self._report(ref, name, f"{name!r} is an alias of {attr!r} from {sibling.name}; the "
                         f"copied code defines {attr!r}", f"import it without `as`: from "
                         f"{sibling.module} import {attr}")  # fmt: skip
        else:
            yield from self._resolve(CodeRef(sibling, sibling.tree, None), name)

    def _report(self, ref: CodeRef, name: str | None, message: str, help: str) -> None:
        """SF306 (code the job copies uses something it cannot have) at the first use of `name`."""
        node = ref.node
        if name is not None:
            node = next(iter(m.findall(ref.node, m.Name(name))), ref.node)
        self.diagnostics.append(Diagnostic("SF306", message, ref.file.span(node), help))
