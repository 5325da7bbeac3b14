"""The literal, container and operator cases of the static evaluator (`resolver.Resolver`).

Input: a literal, f-string, list/tuple/set/dict, operator expression or rule-helper call node.
Output: its `Value`. Operators on a PySpark Column give a Column expression (kept as code), `|` on two
dicts is their union, `+` joins strings, lists and tuples.

    {**BASE, "id": ["not_null"]}       ->  Value({...BASE's items..., "id": Value([...])})
    (F.col("a") > 0) & (F.col("a") < 9) ->  Value(Code.COLUMN, node=<the whole expression>)
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError
from sparkforge.compiler.evaluate import strings as static_strings
from sparkforge.compiler.evaluate.evaluator import Evaluator
from sparkforge.compiler.evaluate.pyspark_calls import as_column_error
from sparkforge.compiler.evaluate.values import (
    STATIC_HELP,
    Code,
    CompileErrors,
    Env,
    Value,
    fail,
    gather,
    problems,
)
from sparkforge.suggest import did_you_mean

_NUMBER_OPS: dict[type[cst.CSTNode], Callable[[Any, Any], Any]] = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv, cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}  # fmt: skip


_MAX_EXPONENT = 1_000



def index(resolver: Evaluator, node: cst.Subscript, base: Value, env: Env) -> Value:
    """`CONFIG["schema"]` on a constant dict, list or tuple; `NAME[0]`, `NAME[:-1]` on a str,
    list or tuple."""
    element = node.slice[0].slice if len(node.slice) == 1 else None
    if isinstance(element, cst.Slice) and isinstance(base.data, str | list | tuple):
        return _sliced(resolver, node, element, base, env)
    if not isinstance(element, cst.Index) or not isinstance(base.data, dict | list | tuple | str):
        fail(env.file, node, "SF111", f"the compiler cannot read `{env.file.code(node)}`: it is "
             "only known when the pipeline runs", STATIC_HELP)
    key = resolver.value(element.value, env).plain()
    try:
        found = base.data[key]
    except (KeyError, IndexError, TypeError):
        fail(env.file, element.value, "SF111", f"{key!r} is not in {env.file.code(node.value)}",
             did_you_mean(str(key), map(str, base.data)) if isinstance(base.data, dict) else None)
    return found if isinstance(found, Value) else env.value(found, node)  # a str's character


def _sliced(resolver: Evaluator, node: cst.Subscript, part: cst.Slice, base: Value, env: Env) -> Value:
    bounds = [None if p is None else resolver.value(p, env).plain() for p in (part.lower, part.upper, part.step)]
    if any(b is not None and (not isinstance(b, int) or isinstance(b, bool)) for b in bounds) or bounds[2] == 0:
        fail(env.file, node, "SF111", f"`{env.file.code(node)}` needs whole numbers as bounds (and a "
             "step other than 0)", None)  # fmt: skip
    return env.value(base.data[slice(*bounds)], node)


# -- containers ---------------------------------------------------------------------------------


def _sequence(resolver: Evaluator, node: cst.List | cst.Tuple, env: Env) -> Value:
    items: list[Value] = []
    errors: list[CompileError] = []
    for element in node.elements:
        try:
            value = resolver.value(element.value, env)
        except CompileError as err:
            errors.append(err)
            continue
        if isinstance(element, cst.StarredElement):
            if not isinstance(value.data, list | tuple):
                fail(env.file, element, "SF111", f"cannot unpack {value.describe()}", STATIC_HELP)
            items.extend(value.data)
        else:
            items.append(value)
    gather(errors)
    data = items if isinstance(node, cst.List) else tuple(items)
    return Value(data, node, env.file, env.local)


def _set(resolver: Evaluator, node: cst.Set, env: Env) -> Value:
    items = [resolver.value(e.value, env).plain() for e in node.elements]
    return Value(_hashable(set, items, node, env), node, env.file)


def _hashable(make: Callable[[list[Any]], Any], items: list[Any], node: cst.CSTNode, env: Env) -> Any:
    try:
        return make(items)
    except TypeError:
        fail(env.file, node, "SF111", "set items and dict keys must be constants such as strings "
             "or numbers", STATIC_HELP)


def _dict(resolver: Evaluator, node: cst.Dict, env: Env) -> Value:
    items: dict[Any, Value] = {}
    errors: list[CompileError] = []
    for element in node.elements:
        try:
            _dict_element(resolver, element, items, env)
        except CompileError as err:
            errors.append(err)
    gather(errors)
    return Value(items, node, env.file, env.local)


def _dict_element(resolver: Evaluator, element: cst.BaseDictElement, items: dict[Any, Value],
                  env: Env) -> None:  # fmt: skip
    if isinstance(element, cst.StarredDictElement):
        merged = resolver.value(element.value, env)
        if not isinstance(merged.data, dict):
            fail(env.file, element, "SF111", f"`**` needs a dict, got {merged.describe()}")
        items.update(merged.data)
        return
    assert isinstance(element, cst.DictElement)
    key = resolver.value(element.key, env).plain()
    _hashable(lambda keys: [hash(k) for k in keys], [key], element.key, env)
    items[key] = resolver.value(element.value, env)


def _lambda(resolver: Evaluator, node: cst.Lambda, env: Env) -> Value:
    return Value(Code.LAMBDA, node, env.file, env.local)


# -- operators ----------------------------------------------------------------------------------


def _operands(resolver: Evaluator, nodes: Sequence[cst.BaseExpression], env: Env) -> list[Value]:
    """Every operand; when one is a Column, an error in another is about a Column rule (SF406)."""
    values: list[Value] = []
    errors: list[CompileError] = []
    for node in nodes:
        try:
            values.append(resolver.value(node, env))
        except CompileError as err:
            errors.append(err)
    if errors and any(v.is_column for v in values):
        raise as_column_error(CompileErrors(tuple(d for e in errors for d in problems(e))))
    gather(errors)
    return values


def _binary(resolver: Evaluator, node: cst.BinaryOperation, env: Env) -> Value:
    left, right = _operands(resolver, (node.left, node.right), env)
    if left.is_column or right.is_column:
        return env.column(node)
    a, b, op = left.data, right.data, type(node.operator)
    if op is cst.BitOr and isinstance(a, dict) and isinstance(b, dict):
        return Value({**a, **b}, node, env.file, env.local)
    if op is cst.Add and isinstance(a, str | list | tuple) and type(a) is type(b):
        return Value(operator.add(a, b), node, env.file, env.local)
    if op in _NUMBER_OPS and _is_number(a) and _is_number(b):
        if op is cst.Power and abs(b) > _MAX_EXPONENT:  # 10 ** 10 ** 10 would never finish
            fail(env.file, node, "SF111", f"the compiler does not compute powers above {_MAX_EXPONENT}")
        try:
            return Value(_NUMBER_OPS[op](a, b), node, env.file, env.local)
        except ArithmeticError as err:
            fail(env.file, node, "SF111", f"cannot compute `{env.file.code(node)}`: {err}")
    fail(env.file, node, "SF111", f"the compiler cannot apply `{node.operator.__class__.__name__}`"
         f" to {left.describe()} and {right.describe()}", STATIC_HELP)


def _is_number(data: object) -> bool:
    return isinstance(data, int | float) and not isinstance(data, bool)


def _unary(resolver: Evaluator, node: cst.UnaryOperation, env: Env) -> Value:
    value = resolver.value(node.expression, env)
    if value.is_column:
        return env.column(node)
    if isinstance(node.operator, cst.Not):
        return Value(not value.data, node, env.file, env.local)
    if isinstance(node.operator, cst.Minus | cst.Plus) and _is_number(value.data):
        sign = -1 if isinstance(node.operator, cst.Minus) else 1
        return Value(sign * value.data, node, env.file, env.local)
    fail(env.file, node, "SF111", f"the compiler cannot negate {value.describe()}", STATIC_HELP)


def _comparison(resolver: Evaluator, node: cst.Comparison, env: Env) -> Value:
    nodes = (node.left, *(c.comparator for c in node.comparisons))
    values = _operands(resolver, nodes, env)
    if any(v.is_column for v in values):
        return env.column(node)
    result = True
    for (left, right), comparison in zip(itertools.pairwise(values), node.comparisons, strict=True):
        compare = _COMPARE.get(type(comparison.operator))
        try:
            result = bool(compare(left.plain(), right.plain())) if compare else False
        except TypeError as err:
            fail(env.file, node, "SF111", f"cannot compute `{env.file.code(node)}`: {err}")
        if compare is None:
            fail(env.file, comparison, "SF111", "the compiler cannot evaluate this comparison")
        if not result:
            break
    return env.value(result, node)


_COMPARE: dict[type[cst.CSTNode], Callable[[Any, Any], Any]] = {
    cst.Equal: operator.eq, cst.NotEqual: operator.ne, cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le, cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge, cst.In: lambda a, b: a in b,
    cst.NotIn: lambda a, b: a not in b, cst.Is: operator.is_, cst.IsNot: operator.is_not,
}  # fmt: skip


def _boolean(resolver: Evaluator, node: cst.BooleanOperation, env: Env) -> Value:
    """`and` / `or` on known values, short-circuiting like Python; never on Columns."""
    left = resolver.value(node.left, env)
    if not left.is_column:
        decided = bool(left.plain()) is isinstance(node.operator, cst.Or)
        right = left if decided else resolver.value(node.right, env)
        if not right.is_column:
            return right
    fail(env.file, node, "SF406", "`and` / `or` do not combine PySpark Columns (Python asks "
         "the Column for a bool and PySpark raises)",
         "use & and | with parentheses: (F.col('a') > 0) & (F.col('b') > 0)")


HANDLERS: dict[type[cst.CSTNode], Callable[[Evaluator, Any, Env], Value]] = {
    **static_strings.HANDLERS,
    cst.List: _sequence, cst.Tuple: _sequence, cst.Set: _set, cst.Dict: _dict,
    cst.Lambda: _lambda, cst.BinaryOperation: _binary, cst.UnaryOperation: _unary,
    cst.Comparison: _comparison, cst.BooleanOperation: _boolean,
}  # fmt: skip
