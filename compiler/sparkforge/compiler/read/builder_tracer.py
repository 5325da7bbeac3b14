"""Follow the builder through the statements of its block, in run order (`find_builder`'s tracer).

Input: the builder's construction call, the pipeline file, and the statements of the block that
creates it. Output: the method calls made on the builder (through every variable that holds it,
fluent chains included), the calls after `to_pipeline()` / `build()`, unknown methods, and the
builder calls inside the file's functions the builder is passed to (`add_orders(builder, "x")`),
each tagged with that function call (`Helper`; `bind_helpers` binds its arguments).

    builder = PipelineBuilder(...); add_orders(builder)   # def add_orders(b): b.with_bronze_rules(...)
    ->  calls=(with_bronze_rules [in add_orders(builder)],)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import libcst as cst
import libcst.matchers as m

from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.evaluate.scopes import Kind, function_statements, index_block
from sparkforge.compiler.read.signatures import FINAL_METHODS, METHODS, STEP_METHODS
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.unit import Helper, MethodCall
from sparkforge.suggest import did_you_mean

MAX_HELPER_DEPTH = 8  # functions the builder is passed through, one inside the other
_METHOD_CALL = m.Call(func=m.Attribute(attr=m.Name()))


class Tracer:
    """Follows the builder through the statements of its block, in order, and into the functions
    of the file it is passed to (`add_orders(builder)`)."""

    def __init__(self, construction: cst.Call, main: SourceFile) -> None:
        self.construction, self.main = construction, main
        self.helper: Helper | None = None  # the function call being followed
        self.names: set[str] = set()
        self.every_name: set[str] = set()  # every variable that ever held the builder
        self.calls: list[MethodCall] = []
        self.final: MethodCall | None = None  # the first to_pipeline() / build()
        self.late: list[MethodCall] = []  # builder calls after it
        self.unknown: list[MethodCall] = []
        self.consumed: set[cst.Call] = set()
        self.passed: list[cst.Call] = []  # calls the builder is passed to, not followed
        self.followed: set[cst.Call] = set()  # calls of the file's functions that were followed
        self.holders: set[str] = set()  # every name that held the builder, functions' parameters too

    def loop(self, node: cst.For, outermost: cst.For) -> None:
        """Builder calls in the plain statements of a `for` (and of the loops inside it) are
        steps declared once per turn: `unroll_loops` repeats them when the loop runs over known
        values. Calls under an `if` or `with` in the loop stay untraced (SF105)."""
        if node.orelse is not None or node.asynchronous is not None:
            return
        for statement in node.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.statement(small, outermost)
            elif isinstance(statement, cst.For):
                self.loop(statement, outermost)

    def statement(self, small: cst.BaseSmallStatement, loop: cst.For | None = None) -> None:
        value = getattr(small, "value", None)
        if not isinstance(value, cst.BaseExpression):
            return
        chain = self._chain(value)
        if chain is None:
            helper = self._helper(value)
            if helper is not None:
                self._follow(helper, loop)
                if _returns(helper.func, helper.param):  # `builder = add_orders(builder)`
                    self._bind(small, ended=False)
            elif isinstance(value, cst.Call) and any(
                isinstance(a.value, cst.Name) and a.value.value in self.names for a in value.args
            ):
                self.passed.append(value)  # bind_helpers says whether that function declares steps
            return
        if loop is not None:
            chain = [dataclasses.replace(call, loop=loop) for call in chain]
        self._bind(small, ended=self._take(chain))

    def _bind(self, small: cst.BaseSmallStatement, *, ended: bool) -> None:
        """The names a statement assigns the builder to (or takes it from, once it `ended`)."""
        targets = (
            [t.target for t in small.targets] if isinstance(small, cst.Assign)
            else [getattr(small, "target", None)]
        )  # fmt: skip
        for target in targets:
            if isinstance(target, cst.Name):
                (self.names.discard if ended else self.names.add)(target.value)
                self.holders.update(() if ended else (target.value,))
                if self.helper is None:
                    self.every_name.update(() if ended else (target.value,))

    def _helper(self, value: cst.BaseExpression) -> Helper | None:
        """`add_orders(builder, ...)`, a function of this file the builder is passed to."""
        if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Name):
            return None
        func = function_named(self.main, value.func.value)
        if func is None or func.decorators or func.asynchronous:
            return None
        param = _receiving(value, func, self.names)
        active = {h.func for h in self.helper.chain} if self.helper else set()
        if param is None or func in active or len(active) >= MAX_HELPER_DEPTH:
            return None  # not followed: its builder calls are reported where they are
        block = index_block(function_statements(func), func.params)
        return Helper(value, func, param, block, self.helper)

    def _follow(self, helper: Helper, loop: cst.For | None) -> None:
        self.followed.add(helper.call)
        self.holders.add(helper.param)
        saved = self.names, self.helper
        self.names, self.helper = {helper.param}, helper
        try:
            for statement in function_statements(helper.func):
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        self.statement(small, loop)
        finally:
            self.names, self.helper = saved

    def _chain(self, node: cst.BaseExpression) -> list[MethodCall] | None:
        calls: list[MethodCall] = []
        while node is not self.construction:
            if isinstance(node, cst.Name) and node.value in self.names:
                break
            if not m.matches(node, _METHOD_CALL):
                return None
            assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            calls.append(MethodCall(node.func.attr.value, node, node.func.attr, helper=self.helper))
            node = node.func.value
        return calls[::-1]

    def _take(self, chain: list[MethodCall]) -> bool:
        """Record the chain's builder calls; True when it ends the builder (`to_pipeline()`)."""
        for call in chain:
            self.consumed.add(call.call)
            if call.method in FINAL_METHODS:
                self.final = self.final or call
                return True
            if self.final is not None and call.method in METHODS:
                self.late.append(call)
                continue
            (self.calls if call.method in METHODS else self.unknown).append(call)
        return False

    def diagnostics(self, main: SourceFile) -> Iterable[Diagnostic]:
        for call in self.unknown:
            hint = did_you_mean(call.method, METHODS)
            yield Diagnostic("SF103", f"PipelineBuilder has no method {call.method!r}",
                             main.span(call.name_node), hint or f"methods: {', '.join(sorted(METHODS))}")
        for call in self.late:
            assert self.final is not None
            line = main.span(self.final.name_node).line
            yield Diagnostic("SF117", f".{call.method}(...) is called after "
                             f".{self.final.method}() (line {line}), so the pipeline that "
                             f"{self.final.method}() returned does not include it",
                             main.span(call.name_node), f"declare every step before calling "
                             f"{self.final.method}()")  # fmt: skip


def function_named(main: SourceFile, name: str) -> cst.FunctionDef | None:
    """The function `name` defined once at the top level of the file, if it is one."""
    found = main.block.get(name)
    func = found[0].node if len(found) == 1 and found[0].kind is Kind.DEF else None
    return func if isinstance(func, cst.FunctionDef) else None


def declares_steps(main: SourceFile, name: str) -> bool:
    """Whether `name` is a function of the file whose body calls a step method of the builder."""
    func = function_named(main, name)
    return func is not None and bool(step_calls(func))


def step_calls(func: cst.FunctionDef) -> list[cst.Call]:
    """The calls of a builder step method (`x.with_bronze_rules(...)`) in `func`'s body."""
    return [c for c in m.findall(func, _METHOD_CALL)
            if isinstance(c, cst.Call) and c.func.attr.value in STEP_METHODS]  # type: ignore[attr-defined]  # fmt: skip


def _receiving(call: cst.Call, func: cst.FunctionDef, names: set[str]) -> str | None:
    """The parameter of `func` that `call` passes the builder to (a name in `names`), if any."""
    positional = [p.name.value for p in (*func.params.posonly_params, *func.params.params)]
    keywords = {p.name.value for p in (*func.params.params, *func.params.kwonly_params)}
    for index, arg in enumerate(call.args):
        if arg.star or not isinstance(arg.value, cst.Name) or arg.value.value not in names:
            continue
        if arg.keyword is None:
            return positional[index] if index < len(positional) else None
        return arg.keyword.value if arg.keyword.value in keywords else None
    return None


def _returns(func: cst.FunctionDef, param: str) -> bool:
    """Whether `func` returns the builder it was given (`return builder`, `return builder.x(...)`)."""
    for ret in m.findall(func, m.Return()):
        value = getattr(ret, "value", None)
        if value is not None and m.matches(root_of(value), m.Name(param)):
            return True
    return False


def root_of(node: cst.CSTNode) -> cst.CSTNode:
    """`a.b(...).c(...)` -> `a`: what a chain of method calls starts from."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        node = node.func.value
    return node


