"""Builder code that looks right and would silently lose steps: what `find_builder` reports besides its trace.

Input: the parsed pipeline file (and, for lookups, the statements of the builder's block and the
names that hold the builder). Output: diagnostics: a preset that does not exist
(`PipelineBuilder.for_staging(...)`, SF103 with did-you-mean, instead of "no builder found"), and a
builder method taken as a value (`getattr(builder, "add_silver_transform")`,
`add = builder.add_silver_transform`), through which the compiler cannot see the calls (SF106).

    add = getattr(builder, "add_silver_transform"); add(name="clean", ...)
    -> SF106 at `getattr(...)`: the calls made through it would be left out
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
import libcst.matchers as m

from sparkforge import rule_helpers
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.evaluate.lookup import qualified_name
from sparkforge.compiler.evaluate.scopes import Block, function_statements, index_block
from sparkforge.compiler.read.signatures import METHODS, PRESETS
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.suggest import did_you_mean

CLASSES = ("sparkforge.PipelineBuilder", "sparkforge.builder.PipelineBuilder")


def blocks_at(main: SourceFile, node: cst.CSTNode) -> tuple[Block, ...]:
    """Imports are looked up in the enclosing top-level function first (`def build(spark): from ...`)."""
    parent = main.parent(node)
    while parent is not None and not isinstance(parent, cst.FunctionDef):
        parent = main.parent(parent)
    if parent is None:
        return (main.block,)
    return (index_block(function_statements(parent), parent.params), main.block)


def unknown_preset(main: SourceFile) -> Diagnostic | None:
    """`PipelineBuilder.for_staging(...)`: a misspelt preset, not a missing builder."""
    for call in main.calls:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value in rule_helpers.__all__:
            continue
        owner = qualified_name(func.value, blocks_at(main, call))
        if owner in CLASSES:
            hint = did_you_mean(func.attr.value, PRESETS)
            return Diagnostic("SF103", f"PipelineBuilder has no preset {func.attr.value!r}",
                              main.span(func.attr), hint or f"presets: {', '.join(PRESETS)}")
    return None


def looked_up(main: SourceFile, statements: Iterable[cst.CSTNode], names: set[str]
               ) -> Iterable[Diagnostic]:  # fmt: skip
    """A builder method reached through `getattr(builder, "...")`, bound to another name
    (`add = builder.add_silver_transform`) or passed on (`partial(builder.with_bronze_rules, ...)`):
    the compiler cannot see which calls are made through it."""
    def is_builder(node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Name) and node.value in names

    def is_method(node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Attribute) and is_builder(node.value) and node.attr.value in METHODS

    for call in main.calls:
        if m.matches(call.func, m.Name("getattr")) and call.args and is_builder(call.args[0].value):
            yield _run_time_lookup(main, call, f"`{main.code(call)}`")
        for arg in call.args:
            if is_method(arg.value):
                yield _run_time_lookup(main, arg.value, f"`{main.code(arg.value)}`")
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            value = getattr(small, "value", None)
            if isinstance(small, cst.Assign | cst.AnnAssign) and value is not None and is_method(value):
                yield _run_time_lookup(main, value, f"`{main.code(value)}`")


def _run_time_lookup(main: SourceFile, node: cst.CSTNode, shown: str) -> Diagnostic:
    return Diagnostic("SF106", f"{shown} takes a builder method as a value; the compiler reads "
                      "builder calls only where they are written as `builder.method(...)`, so the "
                      "calls made through it would be left out", main.span(node),
                      "call the method on the builder directly: builder.add_silver_transform(...)")
