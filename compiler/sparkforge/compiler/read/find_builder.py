"""Frontend pass: find the one `PipelineBuilder` of the file and every call made on it, in run order.

Input: `Unit` with the parsed pipeline file. Output: `Unit.builder`, a `BuilderCode`: the construction
(`PipelineBuilder(...)` or a preset, under any import form), then the method calls of its fluent
chain and of the statements on the builder variable (`builder.x(...)`, `builder = builder.x(...)`),
at module level or in one function. Diagnostics: no builder (SF101), two builders (SF102), an unknown
method or preset (SF103), builder calls in a loop (SF104), in a conditional (SF105) or where the
compiler cannot follow them (SF106: in another function, or a method looked up at run time with
`getattr`), and steps declared after `to_pipeline()` / `build()` (SF117), which the pipeline those
return does not hold.

    builder = PipelineBuilder(spark=spark, schema="shop").with_bronze_rules(...)
    builder.add_silver_transform(...)     ->  calls=(with_bronze_rules, add_silver_transform)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import libcst as cst
import libcst.matchers as m

from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.evaluate.lookup import qualified_name
from sparkforge.compiler.evaluate.scopes import (
    MAIN_GUARD,
    function_statements,
    index_block,
    module_statements,
    walrus_bindings,
)
from sparkforge.compiler.read.builder_misuse import CLASSES, blocks_at, looked_up, unknown_preset
from sparkforge.compiler.read.builder_tracer import Tracer, declares_steps, root_of
from sparkforge.compiler.read.signatures import PRESETS, STEP_METHODS
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.unit import BuilderCode, MethodCall, Unit

_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_BRANCHES = (cst.If, cst.Try, cst.TryStar, cst.With, cst.Match, cst.IfExp)
_LOST_STEPS = frozenset({"SF103", "SF104", "SF105", "SF106", "SF117"})
_CREATE_HELP = 'create it with `builder = PipelineBuilder(spark=spark, schema="my_schema")`'


def find_builder(unit: Unit) -> Unit:
    main = unit.main
    if main is None:
        return unit
    found = [(call, kind) for call in main.calls if (kind := _construction(call, main))]
    if not found:
        return unit.report(unknown_preset(main) or _no_builder(main))
    extra = [_second_builder(main, call) for call, _ in found[1:]]
    call, method = found[0]
    owner, problem = _owner(main, call)
    if problem is not None or owner is None:
        return unit.report(*extra, _misplaced(main, call, "PipelineBuilder(...)"))
    code, diagnostics = _trace(main, MethodCall(method, call, call.func), owner)
    lost = any(d.code in _LOST_STEPS for d in diagnostics)  # steps the compiler could not read
    return dataclasses.replace(unit.report(*extra, *diagnostics), builder=code, partial=lost)


def _construction(call: cst.Call, main: SourceFile) -> str | None:
    """"__init__" for `PipelineBuilder(...)`, the preset name for `PipelineBuilder.for_x(...)`."""
    func = call.func
    # Cheap tests first: a big pipeline has tens of thousands of calls.
    if isinstance(func, cst.Attribute):
        if func.attr.value != "PipelineBuilder" and func.attr.value not in PRESETS:
            return None
    elif not isinstance(func, cst.Name) or (
        func.value != "PipelineBuilder"
        and not any(b.attr == "PipelineBuilder" for b in main.block.get(func.value))
    ):
        return None
    name = qualified_name(func, blocks_at(main, call))
    if name in CLASSES:
        return "__init__"
    owner, _, method = (name or "").rpartition(".")
    return method if owner in CLASSES and method in PRESETS else None


def _no_builder(main: SourceFile) -> Diagnostic:
    bare = next((c for c in main.calls if m.matches(c.func, m.Name("PipelineBuilder"))), None)
    if bare is not None:
        return Diagnostic("SF101", "`PipelineBuilder` is not imported from sparkforge",
                          main.span(bare.func), "add `from sparkforge import PipelineBuilder`")
    return Diagnostic("SF101", f"no PipelineBuilder found in {main.name}", main.span(main.tree),
                      _CREATE_HELP)


def _second_builder(main: SourceFile, call: cst.Call) -> Diagnostic:
    return Diagnostic("SF102", "a second PipelineBuilder in the same file; the compiler makes one "
                      "job per pipeline file", main.span(call.func),
                      "move each pipeline into its own file")  # fmt: skip


def _owner(main: SourceFile, node: cst.CSTNode) -> tuple[cst.CSTNode | None, cst.CSTNode | None]:
    """The module or top-level function whose body holds `node`, and the first loop, conditional
    or nested scope in between (None when `node` runs exactly once per run of that body)."""
    problem: cst.CSTNode | None = None
    parent = main.parent(node)
    while parent is not None:
        if isinstance(parent, cst.Module):
            return parent, problem
        if isinstance(parent, cst.FunctionDef):
            top = isinstance(main.parent(parent), cst.Module) or _in_main_guard(main, parent)
            return (parent, problem) if top else (None, parent)
        if isinstance(parent, cst.Lambda | cst.ClassDef):
            return None, parent
        if problem is None and _is_problem(parent):
            problem = parent
        parent = main.parent(parent)
    return None, problem


def _is_problem(node: cst.CSTNode) -> bool:
    if m.matches(node, MAIN_GUARD):
        return False
    return isinstance(node, _LOOPS + _BRANCHES)


def _in_main_guard(main: SourceFile, func: cst.FunctionDef) -> bool:
    block = main.parent(func)
    guard = main.parent(block) if block is not None else None
    return guard is not None and m.matches(guard, MAIN_GUARD) and isinstance(
        main.parent(guard), cst.Module
    )


def _misplaced(main: SourceFile, call: cst.Call, shown: str,
               builder_owner: cst.CSTNode | None = None) -> Diagnostic:  # fmt: skip
    """Why the compiler cannot read this builder call: loop, conditional, or somewhere else."""
    owner, where = _owner(main, call)
    span = main.span(call.func)
    if isinstance(where, _LOOPS):
        in_helper = isinstance(owner, cst.FunctionDef) and owner is not builder_owner
        return Diagnostic("SF104", f"{shown} is called inside a loop; the compiler reads each "
                          "step from its own call and cannot know how often a loop runs", span,
                          "the compiler unrolls a `for` where the builder is created: loop there over "
                          "this function's calls" if in_helper else "loop with a plain `for` over a "
                          "list, tuple, dict or range the compiler can read (it unrolls those), or "
                          "write one call per step")  # fmt: skip
    if isinstance(where, _BRANCHES):
        return Diagnostic("SF105", f"{shown} is called inside a conditional (`if`/`try`/`with`); "
                          "the compiler cannot know whether it runs", span,
                          "declare the step unconditionally; keep variants in separate pipeline files")
    nested = where if where is not None else owner if owner is not builder_owner else None
    if isinstance(nested, cst.FunctionDef):
        return Diagnostic("SF106", f"{shown} is called inside {_describe(nested)}, which the compiler "
                          "never sees called with the builder", span, f"call {nested.name.value}(builder, "
                          "...) where the builder is created (at module level or in the function that "
                          "builds it, not under a conditional): the compiler follows such calls")  # fmt: skip
    if nested is not None and not isinstance(nested, cst.Module):
        return Diagnostic("SF106", f"{shown} is called inside {_describe(nested)}, which the "
                          "compiler does not follow", span, "call the builder's methods where the "
                          "builder is created: at module level or in the one function that builds it")
    receiver = main.code(call.func.value) if isinstance(call.func, cst.Attribute) else "?"
    return Diagnostic("SF106", f"{shown} is called on `{receiver}`, which the compiler cannot trace "
                      "to the PipelineBuilder", span, "call it on the builder (or the variable "
                      "holding it) directly")  # fmt: skip


def _describe(node: cst.CSTNode) -> str:
    if isinstance(node, cst.FunctionDef):
        return f"the function {node.name.value!r}"
    if isinstance(node, cst.ClassDef):
        return f"the class {node.name.value!r}"
    return "a lambda"


def _trace(main: SourceFile, construction: MethodCall, owner: cst.CSTNode
           ) -> tuple[BuilderCode, list[Diagnostic]]:  # fmt: skip
    function = owner if isinstance(owner, cst.FunctionDef) else None
    statements = function_statements(function) if function else module_statements(main.tree)
    tracer = Tracer(construction.call, main)
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                tracer.statement(small)
        elif isinstance(statement, cst.For):
            tracer.loop(statement, statement)
    skip = {*tracer.consumed, *_other_builders(main, construction.call)}
    diagnostics = [*tracer.diagnostics(main), *_untraced(main, skip, owner),
                   *looked_up(main, statements, tracer.every_name), *_unfollowed(main, tracer, owner)]
    walruses = walrus_bindings(main.walruses, statements, main.parents)
    local = index_block(statements, function.params, walruses) if function else None
    code = BuilderCode(construction, tuple(tracer.calls), local, function, tuple(tracer.passed))
    return code, diagnostics


def _unfollowed(main: SourceFile, tracer: Tracer, owner: cst.CSTNode) -> Iterable[Diagnostic]:
    """A function of the file that declares steps, given the builder where the compiler cannot
    follow it (under a conditional, in a `while`): its steps might run once more, or not at all."""
    for call in main.calls:
        func = call.func
        if type(func) is not cst.Name or call in tracer.followed or not declares_steps(main, func.value):
            continue
        if any(isinstance(a.value, cst.Name) and a.value.value in tracer.holders for a in call.args):
            yield _misplaced(main, call, f"{func.value}(...), which declares steps,", owner)


def _other_builders(main: SourceFile, first: cst.Call) -> Iterable[cst.Call]:
    """Calls on the file's other builders: already reported as SF102, not once per call."""
    others = {c for c in main.calls if c is not first and _construction(c, main)}
    names = {n for c in others for n in _assigned_names(main, c)}
    for call in main.calls:
        root = root_of(call)
        if root in others or (isinstance(root, cst.Name) and root.value in names):
            yield call


def _assigned_names(main: SourceFile, call: cst.Call) -> Iterable[str]:
    node: cst.CSTNode = call
    parent = main.parent(node)
    while isinstance(parent, cst.Attribute | cst.Call):
        node, parent = parent, main.parent(parent)
    if isinstance(parent, cst.Assign):
        yield from (t.target.value for t in parent.targets if isinstance(t.target, cst.Name))


def _untraced(main: SourceFile, consumed: set[cst.Call], owner: cst.CSTNode) -> Iterable[Diagnostic]:
    """Step methods called anywhere else: in a loop, a conditional, another function..."""
    wanted = {*STEP_METHODS, "enable_unified_execution"}
    for call in main.calls:
        func = call.func
        # Cheap attribute checks first: a big pipeline has tens of thousands of calls.
        if type(func) is cst.Attribute and func.attr.value in wanted and call not in consumed:
            yield _misplaced(main, call, f".{func.attr.value}(...)", owner)
