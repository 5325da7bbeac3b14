"""Frontend pass: builder calls made in a function the builder is passed to get that call's values.

Input: `Unit.builder` whose calls made inside a function of the pipeline file carry that function
call (`MethodCall.helper`, from `find_builder`; in a loop, one turn's frame, from `unroll_loops`). Output: each such call with a `Frame` holding the
function's parameters, bound to the call's arguments, and the names its body assigned before the
builder call, so that the readers evaluate the step's arguments as Python would run the function.
A function called twice declares its steps twice, each with its own values. An argument the
compiler cannot evaluate is an error only where a step uses it.

    def add_source(builder, name):
        builder.with_bronze_rules(name=name, rules={"id": ["not_null"]})

    add_source(builder, "orders"); add_source(builder, "users")
    -> calls=(with_bronze_rules [name="orders"], with_bronze_rules [name="users"])
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.scopes import function_statements
from sparkforge.compiler.evaluate.statements import run_small
from sparkforge.compiler.evaluate.values import Code, Env, Failed, Frame, Value
from sparkforge.compiler.read.builder_tracer import step_calls
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.unit import Helper, MethodCall, Unit


def bind_helpers(unit: Unit) -> Unit:
    builder, main = unit.builder, unit.main
    if builder is None or main is None:
        return unit
    resolver, here = Resolver(unit.files), Env(main, builder.local)
    elsewhere = [d for call in builder.passed if (d := _declares_elsewhere(call, resolver, here))]
    if elsewhere:
        unit = dataclasses.replace(unit.report(*elsewhere), partial=True)
    if not any(c.helper for c in builder.calls):
        return unit
    binder = _Binder(resolver, main, builder.calls)
    calls: list[MethodCall] = []
    done: set[tuple[Helper, int]] = set()
    for call in builder.calls:
        top = call.helper.outermost if call.helper else None
        if top is None:
            calls.append(call)
        elif (top, id(call.frame)) not in done:  # one function call's calls are contiguous, in run order
            done.add((top, id(call.frame)))  # in a loop, each turn has a frame of its own (unroll_loops)
            calls.extend(binder.run(top, Env(main, builder.local, call.frame)))
    return dataclasses.replace(unit, builder=dataclasses.replace(builder, calls=tuple(calls)))


def _declares_elsewhere(call: cst.Call, resolver: Resolver, env: Env) -> Diagnostic | None:
    """SF106 when the builder is passed to a function of a module beside the pipeline that
    declares steps: the compiler follows only the pipeline file's own functions."""
    main = env.file
    try:
        callee = resolver.value(call.func, env)
    except CompileError:
        return None  # an installed package's function, or a name reported elsewhere
    func = callee.node
    if callee.data is not Code.FUNCTION or callee.file is main or not isinstance(func, cst.FunctionDef):
        return None
    declares = step_calls(func)
    if not declares:
        return None
    name, line = func.name.value, callee.file.span(declares[0]).line
    return Diagnostic("SF106", f"the builder is passed to {name}() of {callee.file.name}, which declares "
                      f"steps ({callee.file.name}:{line}); the compiler follows only functions of "
                      f"{main.name}, so the job would miss them", main.span(call),
                      f"move {name}() into {main.name}, or declare its steps there")  # fmt: skip


class _Binder:
    def __init__(self, resolver: Resolver, main: SourceFile, calls: Iterable[MethodCall]) -> None:
        self.resolver, self.main = resolver, main
        self.direct: dict[tuple[Helper, cst.CSTNode], list[MethodCall]] = {}
        self.inner: dict[tuple[Helper, cst.CSTNode], list[Helper]] = {}
        for call in calls:
            helper = call.helper
            if helper is not None:  # one template per call written (a loop repeats them per turn)
                direct = self.direct.setdefault((helper, self._statement(call.call, helper)), [])
                if all(c.call is not call.call for c in direct):
                    direct.append(call)
            chain = helper.chain if helper is not None else ()
            for each, outer in itertools.pairwise(chain):  # each call sits in the next one out
                inner = self.inner.setdefault((outer, self._statement(each.call, outer)), [])
                if each not in inner:
                    inner.append(each)

    def _statement(self, node: cst.CSTNode, helper: Helper) -> cst.CSTNode:
        """The statement of `helper`'s body that holds `node`."""
        body = set(function_statements(helper.func))
        while node not in body:
            parent = self.main.parent(node)
            assert parent is not None, "a traced call lies in its function's body"
            node = parent
        return node

    def run(self, helper: Helper, outer: Env) -> list[MethodCall]:
        """The builder calls of one call of `helper`, each with the function's names at that line."""
        frame = Frame(helper.func)
        env = Env(self.main, helper.block, frame)
        self._parameters(helper, outer, frame)
        calls: list[MethodCall] = []
        for statement in function_statements(helper.func):
            key = (helper, statement)
            if key in self.direct:
                snapshot = Frame(helper.func, dict(frame.names))
                calls.extend(dataclasses.replace(c, frame=snapshot) for c in self.direct[key])
            if key in self.inner:
                at = Env(self.main, helper.block, Frame(helper.func, dict(frame.names)))
                for inner in self.inner[key]:
                    calls.extend(self.run(inner, at))
            if key not in self.direct and key not in self.inner and isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._run_small(small, env)
        return calls

    def _parameters(self, helper: Helper, outer: Env, frame: Frame) -> None:
        """Bind each parameter to the call's argument (`*args` and `**kwargs` to the rest), or to
        its default (evaluated where the function is defined); the builder's own parameter cannot
        be used as a value."""
        params = helper.func.params
        positional = [*params.posonly_params, *params.params]
        names = {p.name.value for p in (*positional, *params.kwonly_params)}
        given: dict[str, cst.Arg] = {}
        extra: list[cst.Arg] = []
        extra_named: dict[str, cst.Arg] = {}
        for index, arg in enumerate(a for a in helper.call.args if not a.star):
            if arg.keyword is not None:
                (given if arg.keyword.value in names else extra_named)[arg.keyword.value] = arg
            elif index < len(positional):
                given[positional[index].name.value] = arg
            else:
                extra.append(arg)
        for param in (*positional, *params.kwonly_params):
            frame.names[param.name.value] = self._parameter(helper, param, given, outer)
        if isinstance(params.star_arg, cst.Param):
            frame.names[params.star_arg.name.value] = outer.value(tuple(self._value(a.value, outer) for a in extra), helper.call)
        if isinstance(params.star_kwarg, cst.Param):
            values = {k: self._value(a.value, outer) for k, a in extra_named.items()}
            frame.names[params.star_kwarg.name.value] = outer.value(values, helper.call)

    def _parameter(self, helper: Helper, param: cst.Param, given: dict[str, cst.Arg], outer: Env) -> Value:
        name = param.name.value
        if name == helper.param:
            return self._failed(param, f"{name!r} is the PipelineBuilder itself, not a value")
        if name in given:
            return self._value(given[name].value, outer)
        if param.default is not None:
            return self._value(param.default, Env(self.main))
        return self._failed(helper.call, f"the call of {helper.func.name.value}() gives no value for {name!r}")

    def _value(self, node: cst.BaseExpression, env: Env) -> Value:
        try:
            return self.resolver.value(node, env)
        except CompileError as err:
            return env.value(Failed(err), node)

    def _failed(self, node: cst.CSTNode, message: str) -> Value:
        error = CompileError(Diagnostic("SF111", message, self.main.span(node)))
        return Value(Failed(error), node, self.main)

    def _run_small(self, small: cst.BaseSmallStatement, env: Env) -> None:
        """`rules = {...}` in the function's body: seen by the builder calls after it."""
        if isinstance(small, cst.Return):
            return
        try:
            run_small(self.resolver, small, env)
        except CompileError as err:
            assert env.frame is not None
            for target in getattr(small, "targets", ()):
                if isinstance(target.target, cst.Name):
                    env.frame.names[target.target.value] = env.value(Failed(err), small)
