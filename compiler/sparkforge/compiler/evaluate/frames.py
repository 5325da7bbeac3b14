"""Expressions of the static evaluator that bind local names, and Column code written where they are bound.

Input: a comprehension, walrus, conditional expression, or a Column `Value` written inside a user
function or a step loop. Output: its `Value`; for a Column, `frozen_node` gives its code with the
local names replaced by their literal values, so that it stands alone in the job.

    [f"{c}_id" for c in ("a", "b")]           ->  Value(["a_id", "b_id"])
    F.col(c).isNotNull()   with c = "id"       ->  F.col("id").isNotNull()
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import libcst as cst

from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.evaluate.evaluator import Evaluator
from sparkforge.compiler.evaluate.statements import iterate, truth, unpack
from sparkforge.compiler.evaluate.values import CompileErrors, Env, Frame, Value, fail


def comprehension(resolver: Evaluator, node: cst.CSTNode, env: Env) -> Value:
    """`[f(x) for x in XS if p(x)]`, `{k: v for ...}`, set and generator forms (a generator is
    read as the list it would produce)."""
    assert isinstance(node, cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp)
    results: list[Value] = []
    pairs: dict[Any, Value] = {}
    frame = Frame(node, parent=env.frame)
    inner = Env(env.file, env.local, frame)
    with resolver.budget.entered(env, node):
        for _ in _clauses(resolver, node.for_in, env, inner):
            if isinstance(node, cst.DictComp):
                pairs[resolver.value(node.key, inner).plain()] = resolver.value(node.value, inner)
            else:
                results.append(resolver.value(node.elt, inner))
    if isinstance(node, cst.DictComp):
        return env.value(pairs, node)
    if isinstance(node, cst.SetComp):
        return env.value({v.plain() for v in results}, node)
    return env.value(results, node)


def _clauses(resolver: Evaluator, clause: cst.CompFor, outer: Env, inner: Env) -> Iterator[None]:
    """One turn per combination of the `for` clauses whose `if`s hold. The first iterable is
    evaluated outside the comprehension, as Python does."""
    assert inner.frame is not None
    source = resolver.value(clause.iter, outer)
    for item in list(iterate(source, inner, clause.iter)):
        resolver.budget.spend(inner, clause)
        bind_target(clause.target, item, inner)
        if not all(truth(resolver.value(c.test, inner), inner, c.test) for c in clause.ifs):
            continue
        if clause.inner_for_in is None:
            yield
        else:
            yield from _clauses(resolver, clause.inner_for_in, inner, inner)


def bind_target(target: cst.BaseExpression, value: Value, env: Env) -> None:
    """A loop target: a name, or a tuple/list of targets."""
    assert env.frame is not None
    frame = env.frame
    if isinstance(target, cst.Name):
        frame.names[target.value] = value
    elif isinstance(target, cst.Tuple | cst.List):
        unpack(env, target, value, lambda t, v: bind_target(t, v, env))
    else:
        fail(env.file, target, "SF111", "the compiler binds loop variables to names only", None)


def walrus(resolver: Evaluator, node: cst.CSTNode, env: Env) -> Value:
    assert isinstance(node, cst.NamedExpr)
    value = resolver.value(node.value, env)
    if env.frame is not None and isinstance(node.target, cst.Name):
        env.frame.function().names[node.target.value] = value
    return value


def conditional(resolver: Evaluator, node: cst.CSTNode, env: Env) -> Value:
    assert isinstance(node, cst.IfExp)
    test = truth(resolver.value(node.test, env), env, node.test)
    return resolver.value(node.body if test else node.orelse, env)


# -- Column code written inside a function or loop -------------------------------------------------


def frozen_node(value: Value) -> cst.CSTNode:
    """The Column's code with the local names it uses replaced by their values, so that it
    stands alone in the job: `F.col(c).isNotNull()` evaluated with c = "id" becomes
    `F.col("id").isNotNull()`. Code written outside any function or loop is returned as is."""
    if value.frame is None:
        return value.node
    substitute = _Substitute(value)
    node = value.node.visit(substitute)
    if substitute.errors:
        raise CompileErrors(tuple(substitute.errors))
    assert isinstance(node, cst.CSTNode)  # a Name is never removed
    return node


class _Substitute(cst.CSTTransformer):
    def __init__(self, value: Value) -> None:
        super().__init__()
        assert value.frame is not None
        self.frame, self.file = value.frame, value.file
        self.errors: list[Diagnostic] = []

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        local = self.frame.get(original.value)
        if local is None:
            return updated
        if local.is_column:
            node = frozen_node(local)
            assert isinstance(node, cst.BaseExpression)
            return node
        plain = local.plain()
        if _is_literal(plain):
            return cst.parse_expression(repr(plain))
        self.errors.append(Diagnostic(
            "SF406", f"a Column rule must be self-contained: it uses {original.value!r}, which holds "
            f"{local.describe()}, not a literal the job can carry", self.file.span(original),
            "pass strings, numbers or lists of them to the function that builds the rule"))  # fmt: skip
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)  # `F.col` keeps its `col`

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)


def _is_literal(data: object) -> bool:
    if isinstance(data, float):
        return data == data and data not in (float("inf"), float("-inf"))
    if data is None or isinstance(data, str | int | bool):
        return True
    if isinstance(data, list | tuple):
        return all(_is_literal(item) for item in data)
    if isinstance(data, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in data.items())
    return False
