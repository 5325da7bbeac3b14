"""Statements the static evaluator runs inside a project function: assignments, `if`, `for`.

Input: the statements of a function body and the `Env` of its call. Output: the frame's names bound
as Python would bind them; `return`, `break` and `continue` raise the signals of `evaluator`.
Anything else is SF111 at the statement.

    for c in cols: rules[c] = ["not_null"]   ->  rules == {"id": [...], "ts": [...]}
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

import libcst as cst

from sparkforge.compiler.evaluate.evaluator import Break, Continue, Evaluator, Return
from sparkforge.compiler.evaluate.values import STATIC_HELP, Env, Value, fail


def run_block(resolver: Evaluator, statements: Sequence[cst.CSTNode], env: Env) -> None:
    for statement in statements:
        resolver.budget.spend(env, statement)
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                run_small(resolver, small, env)
        elif isinstance(statement, cst.If):
            _if(resolver, statement, env)
        elif isinstance(statement, cst.For):
            _for(resolver, statement, env)
        else:
            _unsupported(env, statement)


def _unsupported(env: Env, node: cst.CSTNode) -> NoReturn:
    kind = type(node).__name__.lower().replace("functiondef", "nested def").replace("classdef", "class")
    fail(env.file, node, "SF111", f"the compiler does not evaluate a `{kind}` statement in a "
         "function it runs: it follows assignments, if, for, return and comprehensions", STATIC_HELP)


def run_small(resolver: Evaluator, small: cst.BaseSmallStatement, env: Env) -> None:
    if isinstance(small, cst.Return):
        value = resolver.value(small.value, env) if small.value else env.value(None, small)
        raise Return(value)
    if isinstance(small, cst.Assign):
        value = resolver.value(small.value, env)
        for target in small.targets:
            assign(resolver, target.target, value, env)
    elif isinstance(small, cst.AnnAssign):
        if small.value is not None:
            assign(resolver, small.target, resolver.value(small.value, env), env)
    elif isinstance(small, cst.AugAssign):
        _augmented(resolver, small, env)
    elif isinstance(small, cst.Expr):
        if not isinstance(small.value, cst.SimpleString | cst.ConcatenatedString | cst.Ellipsis):
            resolver.value(small.value, env)  # a docstring does nothing; a call may change a container
    elif isinstance(small, cst.Break):
        raise Break
    elif isinstance(small, cst.Continue):
        raise Continue
    elif not isinstance(small, cst.Pass):
        _unsupported(env, small)


def assign(resolver: Evaluator, target: cst.BaseExpression, value: Value, env: Env) -> None:
    """Bind `target` (a name, a tuple/list of targets, or an item of a container the function
    built) in the current frame."""
    assert env.frame is not None
    if isinstance(target, cst.Name):
        env.frame.names[target.value] = value
    elif isinstance(target, cst.Tuple | cst.List):
        unpack(env, target, value, lambda t, v: assign(resolver, t, v, env))
    elif isinstance(target, cst.Subscript):
        container = resolver.value(target.value, env)
        check_owned(resolver, container, env, target)
        key = resolver.value(_index(env, target), env).plain()
        if isinstance(container.data, dict) or (isinstance(container.data, list) and isinstance(key, int)):
            container.data[key] = value
        else:
            fail(env.file, target, "SF111", f"cannot assign an item of {container.describe()}", None)
    else:
        fail(env.file, target, "SF111", "the compiler only assigns names, tuples of names and "
             "items of containers", STATIC_HELP)


def unpack(env: Env, target: cst.Tuple | cst.List, value: Value,
           bind: Callable[[cst.BaseExpression, Value], None]) -> None:  # fmt: skip
    """`a, (b, c) = ...`: each target element gets its item (a starred one the rest, as a list)."""
    items = list(iterate(value, env, target))
    elements = list(target.elements)
    starred = [i for i, e in enumerate(elements) if isinstance(e, cst.StarredElement)]
    if not starred and len(items) != len(elements):
        fail(env.file, target, "SF111", f"cannot unpack {len(items)} values into {len(elements)} names", None)
    if starred:
        at = starred[0]
        tail = len(elements) - at - 1
        rest = items[at: len(items) - tail]
        items = [*items[:at], env.value(rest, target), *items[len(items) - tail:]]
    for element, item in zip(elements, items, strict=True):
        bind(element.value, item)


def _augmented(resolver: Evaluator, small: cst.AugAssign, env: Env) -> None:
    if not isinstance(small.target, cst.Name):
        fail(env.file, small, "SF111", "the compiler only follows `+=` on a local name", STATIC_HELP)
    current = resolver.value(small.target, env)
    operand = resolver.value(small.value, env)
    op = _AUGMENTED.get(type(small.operator))
    try:
        result = op(current.plain(), operand.plain()) if op else None
    except (TypeError, ArithmeticError) as err:
        fail(env.file, small, "SF111", f"cannot compute `{env.file.code(small)}`: {err}", None)
    if op is None:
        fail(env.file, small, "SF111", "the compiler follows `+=`, `-=`, `*=` and `|=` only", None)
    assert env.frame is not None
    env.frame.names[small.target.value] = wrap(result, env, small)


_AUGMENTED: dict[type[cst.CSTNode], Callable[[Any, Any], Any]] = {
    cst.AddAssign: operator.add, cst.SubtractAssign: operator.sub,
    cst.MultiplyAssign: operator.mul, cst.BitOrAssign: operator.or_,
}  # fmt: skip


def _if(resolver: Evaluator, node: cst.If, env: Env) -> None:
    if truth(resolver.value(node.test, env), env, node.test):
        run_block(resolver, node.body.body, env)
    elif isinstance(node.orelse, cst.If):
        _if(resolver, node.orelse, env)
    elif isinstance(node.orelse, cst.Else):
        run_block(resolver, node.orelse.body.body, env)


def _for(resolver: Evaluator, node: cst.For, env: Env) -> None:
    if node.orelse is not None or node.asynchronous is not None:
        _unsupported(env, node)
    for item in iterate(resolver.value(node.iter, env), env, node.iter):
        resolver.budget.spend(env, node)
        assign(resolver, node.target, item, env)
        try:
            run_block(resolver, node.body.body, env)
        except Break:
            break
        except Continue:
            continue


def truth(value: Value, env: Env, node: cst.CSTNode) -> bool:
    if value.is_column:
        fail(env.file, node, "SF406", "a PySpark Column has no truth value (Python would raise)",
             "combine Column tests with & and |, or use F.when(...)")
    return bool(value.plain())


def iterate(value: Value, env: Env, node: cst.CSTNode) -> Iterator[Value]:
    data = value.data
    if isinstance(data, list | tuple):
        return iter(data)
    if isinstance(data, dict):
        return (env.value(k, node) for k in data)
    if isinstance(data, str):
        return (env.value(c, node) for c in data)
    fail(env.file, node, "SF111", f"the compiler cannot iterate over {value.describe()}", STATIC_HELP)


def _index(env: Env, node: cst.Subscript) -> cst.BaseExpression:
    element = node.slice[0].slice if len(node.slice) == 1 else None
    if not isinstance(element, cst.Index):
        fail(env.file, node, "SF111", "the compiler reads one index or key at a time", None)
    return element.value


def check_owned(resolver: Evaluator, container: Value, env: Env, node: cst.CSTNode) -> None:
    """A function may change the containers an evaluation built, not a constant of the module
    (that change would be invisible to the compiler's other reads of it, as it is not to Python's)."""
    if not resolver.is_shared(container):
        return
    fail(env.file, node, "SF111", f"this changes `{env.file.code(getattr(node, 'value', node))}`, a "
         "constant of the module; the compiler reads constants as they are assigned",
         "build a new value instead: {**BASE, key: value}, [*ITEMS, item]")


def wrap(result: Any, env: Env, node: cst.CSTNode) -> Value:
    """A plain Python result as a Value (containers of Values all the way down)."""
    if isinstance(result, list | tuple):
        items = [wrap(item, env, node) for item in result]
        return env.value(items if isinstance(result, list) else tuple(items), node)
    if isinstance(result, dict):
        return env.value({k: wrap(v, env, node) for k, v in result.items()}, node)
    return env.value(result, node)
