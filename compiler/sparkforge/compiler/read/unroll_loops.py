"""Frontend pass: steps declared in a `for` loop over known values become one builder call per turn.

Input: `Unit.builder` whose calls written in a loop carry that loop (`find_builder`). Output: the
calls in run order, each looped call repeated once per turn of its loop with a `Frame` holding the
loop variables and the names the loop body assigned before it, so that the readers evaluate its
arguments with those values. The loop must run over a value the compiler can evaluate (a literal
or constant list, tuple or dict, `range(...)`, a project helper's result ...); otherwise, and for a
loop of more than `MAX_TURNS` turns, SF104 at the loop says why, and its steps are left out.

    for table in ("orders", "users"):
        builder.with_bronze_rules(name=table, rules={"id": ["not_null"]})
    -> calls=(with_bronze_rules [table="orders"], with_bronze_rules [table="users"])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import libcst as cst
import libcst.matchers as m

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.evaluator import Break, Continue
from sparkforge.compiler.evaluate.frames import bind_target
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.scopes import Block
from sparkforge.compiler.evaluate.statements import iterate, run_small
from sparkforge.compiler.evaluate.values import Env, Failed, Frame, problems
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.unit import MethodCall, Unit

MAX_TURNS = 10_000


def unroll_loops(unit: Unit) -> Unit:
    builder, main = unit.builder, unit.main
    if builder is None or main is None or not any(c.loop for c in builder.calls):
        return unit
    unroller = _Unroller(Resolver(unit.files), main, builder.local, builder.calls)
    calls: list[MethodCall] = []
    done: set[cst.For] = set()
    for call in builder.calls:
        if call.loop is None:
            calls.append(call)
        elif call.loop not in done:
            done.add(call.loop)
            calls.extend(unroller.outermost(call.loop))
    code = dataclasses.replace(builder, calls=tuple(calls))
    partial = unit.partial or bool(unroller.diagnostics)
    return dataclasses.replace(unit.report(*unroller.diagnostics), builder=code, partial=partial)


class _Unroller:
    def __init__(self, resolver: Resolver, main: SourceFile, local: Block | None,
                 calls: Iterable[MethodCall]) -> None:  # fmt: skip
        self.resolver, self.main, self.local = resolver, main, local
        self.by_line: dict[cst.CSTNode, list[MethodCall]] = {}
        for call in calls:
            if call.loop is not None:  # a call in a function called in the loop: at that call
                at = call.helper.outermost.call if call.helper else call.call
                self.by_line.setdefault(self._line(at), []).append(call)
        self.diagnostics: list[Diagnostic] = []

    def _line(self, node: cst.CSTNode) -> cst.CSTNode:
        parent = self.main.parent(node)
        while parent is not None and not isinstance(parent, cst.SimpleStatementLine):
            parent = self.main.parent(parent)
        return parent or node

    def outermost(self, loop: cst.For) -> list[MethodCall]:
        try:
            return list(self._run(loop, None))
        except CompileError as err:
            self.diagnostics.extend(_why(self.main, loop, err))
            return []

    def _run(self, loop: cst.For, outer: Frame | None) -> Iterable[MethodCall]:
        env = Env(self.main, self.local, outer)
        items = list(iterate(self.resolver.value(loop.iter, env), env, loop.iter))
        if len(items) > MAX_TURNS:
            raise CompileError(Diagnostic("SF104", f"the loop runs {len(items)} times, more than "
                                          f"the {MAX_TURNS} the compiler unrolls", self.main.span(loop.iter)))
        for item in items:
            frame = Frame(loop, parent=outer)
            turn = Env(self.main, self.local, frame)
            bind_target(loop.target, item, turn)
            calls: list[MethodCall] = []
            try:
                self._body(loop, frame, turn, calls)
            except Break:
                yield from calls
                return
            except Continue:
                pass
            yield from calls

    def _body(self, loop: cst.For, frame: Frame, env: Env, calls: list[MethodCall]) -> None:
        for statement in loop.body.body:
            if isinstance(statement, cst.For):
                calls.extend(self._run(statement, frame))
                continue
            mine = self.by_line.get(statement)
            if mine:
                snapshot = Frame(loop, dict(frame.names), frame.parent)
                calls.extend(dataclasses.replace(c, frame=snapshot) for c in mine)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._statement(small, env)

    def _statement(self, small: cst.BaseSmallStatement, env: Env) -> None:
        """`rules = {...}`, `rules["x"] = ...`, `rules.update(...)` in the loop body: seen by the
        calls after it in the same turn, as Python would run them. A value the compiler cannot
        know is an error only where a builder argument uses it."""
        try:
            run_small(self.resolver, small, env)
        except CompileError as err:
            assert env.frame is not None
            for name in _changed_names(small):
                env.frame.names[name] = env.value(Failed(err), small)


def _changed_names(small: cst.BaseSmallStatement) -> list[str]:
    """The names a statement binds or changes in place: targets, `x[k] = ...`, `x.update(...)`."""
    targets: list[cst.BaseExpression] = []
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, cst.AnnAssign | cst.AugAssign):
        targets = [small.target]
    elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        func = small.value.func
        targets = [func.value] if isinstance(func, cst.Attribute) else []
    names: list[str] = []
    for target in targets:
        while isinstance(target, cst.Subscript | cst.Attribute):
            target = target.value
        names.extend(n.value for n in m.findall(target, m.Name()) if isinstance(n, cst.Name))
    return names


def _why(main: SourceFile, loop: cst.For, err: CompileError) -> list[Diagnostic]:
    first = problems(err)[0]
    if first.code == "SF104":
        return [first]
    return [Diagnostic(
        "SF104", f"the builder is called in a loop over `{main.code(loop.iter)}`, which the "
        f"compiler cannot evaluate: {first.message}", main.span(loop.iter),
        "loop over a literal or a constant list, tuple or dict (or write one call per step)")]  # fmt: skip


