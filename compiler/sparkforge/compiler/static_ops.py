"""The literal, container and operator cases of the static evaluator (`static_values.Resolver`).

Input: a literal, f-string, list/tuple/set/dict, operator expression or rule-helper call node.
Output: its `Value`. Operators on a PySpark Column give a Column expression (kept as code), `|` on two
dicts is their union, `+` joins strings, lists and tuples.

    {**BASE, "id": ["not_null"]}       ->  Value({...BASE's items..., "id": Value([...])})
    (F.col("a") > 0) & (F.col("a") < 9) ->  Value(Code.COLUMN, node=<the whole expression>)
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import libcst as cst

from sparkforge import rule_helpers
from sparkforge.compiler import static_strings
from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.values import (
    STATIC_HELP,
    Code,
    CompileErrors,
    Env,
    Symbol,
    Value,
    fail,
    gather,
    problems,
)
from sparkforge.exceptions import SparkForgeError
from sparkforge.security import SecurityError, get_security_manager

if TYPE_CHECKING:
    from sparkforge.compiler.static_values import Resolver

COLUMN_HELP = (
    "a Column rule may use the pyspark.sql.functions module, literals and module constants only, "
    "so that the compiled job is self-contained"
)
_PYSPARK = ("pyspark.sql.functions.", "pyspark.sql.types.")
_HELPER_OWNERS = ("sparkforge.PipelineBuilder.", "sparkforge.builder.PipelineBuilder.",
                  "sparkforge.rule_helpers.")  # fmt: skip
_NUMBER_OPS: dict[type[cst.CSTNode], Callable[[Any, Any], Any]] = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv, cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}  # fmt: skip


_MAX_EXPONENT = 1_000


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def as_column_error(error: CompileError) -> CompileError:
    """The same problems, reported as problems of a Column rule (SF406)."""
    return CompileErrors(tuple(_as_column(d) for d in problems(error)))


def _as_column(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.code in ("SF405", "SF406"):  # already about the rule
        return diagnostic
    message = f"a Column rule must be self-contained: {diagnostic.message}"
    return dataclasses.replace(diagnostic, code="SF406", message=message, help=COLUMN_HELP)


def is_pyspark(data: object) -> bool:
    return isinstance(data, Symbol) and (
        data.name == "pyspark.sql.functions" or data.name.startswith(_PYSPARK)
    )


# Functions that take SQL text, and functions that reach outside Spark SQL's built-ins: a Column
# rule gets the checks a SQL rule string gets (SPEC section 9), or `F.expr` would bypass them.
_SQL_TEXT = frozenset({"pyspark.sql.functions.expr"})
_UNSAFE = frozenset({"reflect", "java_method", "try_reflect", "call_function", "call_udf", "udf",
                     "pandas_udf", "udtf"})  # fmt: skip


def check_sql_function(callee: Value, node: cst.Call, args: Sequence[Value], env: Env) -> None:
    """SF405 for `F.expr("...")` whose text the security layer rejects, or an unsafe function."""
    if not isinstance(callee.data, Symbol):
        return
    name = callee.data.name
    short = name.rpartition(".")[2]
    if name.startswith("pyspark.sql.functions.") and short in _UNSAFE:
        fail(env.file, node.func, "SF405", f"a Column rule may not call `{env.file.code(node.func)}`: "
             f"{short}() reaches outside Spark SQL's built-in functions, which SQL rules may not "
             "use either", "write the test with built-in functions (F.col, F.when, ...)")
    if name not in _SQL_TEXT or not args or not isinstance(args[0].data, str):
        return
    try:
        get_security_manager().validate_sql_expression(args[0].data)
    except SecurityError as err:
        fail(env.file, args[0].node, "SF405", f"unsafe SQL in `{env.file.code(node.func)}(...)`: "
             f"{err.message}", "; ".join(err.suggestions) or None)


def rule_helper(data: object) -> str | None:
    """`PipelineBuilder.not_null_rules` (any import path) -> "not_null_rules"."""
    if not isinstance(data, Symbol):
        return None
    return next((data.name[len(p) :] for p in _HELPER_OWNERS if data.name.startswith(p)), None)


def expand_helper(resolver: Resolver, node: cst.Call, helper: str, env: Env) -> Value:
    """Run the builder's own rule helper on the statically known column names."""
    if helper not in rule_helpers.__all__:
        hint = did_you_mean(helper, rule_helpers.__all__)
        fail(env.file, node.func, "SF407", f"PipelineBuilder has no rule helper {helper!r}",
             hint or f"rule helpers: {', '.join(rule_helpers.__all__)}")
    if len(node.args) != 1 or node.args[0].star:
        fail(env.file, node, "SF407", f"{helper}() takes one list of column names",
             f'e.g. PipelineBuilder.{helper}(["id", "amount"])')
    columns = resolver.value(node.args[0].value, env)
    try:
        result = getattr(rule_helpers, helper)(columns.plain())
    except (SparkForgeError, TypeError) as err:
        fail(env.file, node.args[0].value, "SF402", f"{helper}(): {err}")
    # Each generated rule points at the column name it came from.
    places: dict[str, cst.CSTNode] = {v.data: v.node for v in _items(columns)}
    if isinstance(result, dict):
        items = {
            c: Value([Value(i, places.get(c, node), env.file) for i in v], places.get(c, node), env.file)
            for c, v in result.items()
        }
        return Value(items, node, env.file, env.local)
    return Value([Value(c, places.get(c, node), env.file) for c in result], node, env.file, env.local)


def _items(value: Value) -> list[Value]:
    return [v for v in value.data if isinstance(v.data, str)] if isinstance(value.data, list | tuple) else []


def index(resolver: Resolver, node: cst.Subscript, base: Value, env: Env) -> Value:
    """`CONFIG["schema"]` on a constant dict, list or tuple."""
    element = node.slice[0].slice if len(node.slice) == 1 else None
    if not isinstance(element, cst.Index) or not isinstance(base.data, dict | list | tuple):
        fail(env.file, node, "SF111", f"the compiler cannot read `{env.file.code(node)}`: it is "
             "only known when the pipeline runs", STATIC_HELP)
    key = resolver.value(element.value, env).plain()
    try:
        found = base.data[key]
    except (KeyError, IndexError, TypeError):
        fail(env.file, element.value, "SF111", f"{key!r} is not in {env.file.code(node.value)}",
             did_you_mean(str(key), map(str, base.data)) if isinstance(base.data, dict) else None)
    assert isinstance(found, Value)
    return found


# -- containers ---------------------------------------------------------------------------------


def _sequence(resolver: Resolver, node: cst.List | cst.Tuple, env: Env) -> Value:
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


def _set(resolver: Resolver, node: cst.Set, env: Env) -> Value:
    items = [resolver.value(e.value, env).plain() for e in node.elements]
    return Value(_hashable(set, items, node, env), node, env.file)


def _hashable(make: Callable[[list[Any]], Any], items: list[Any], node: cst.CSTNode, env: Env) -> Any:
    try:
        return make(items)
    except TypeError:
        fail(env.file, node, "SF111", "set items and dict keys must be constants such as strings "
             "or numbers", STATIC_HELP)


def _dict(resolver: Resolver, node: cst.Dict, env: Env) -> Value:
    items: dict[Any, Value] = {}
    errors: list[CompileError] = []
    for element in node.elements:
        try:
            _dict_element(resolver, element, items, env)
        except CompileError as err:
            errors.append(err)
    gather(errors)
    return Value(items, node, env.file, env.local)


def _dict_element(resolver: Resolver, element: cst.BaseDictElement, items: dict[Any, Value],
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


def _lambda(resolver: Resolver, node: cst.Lambda, env: Env) -> Value:
    return Value(Code.LAMBDA, node, env.file, env.local)


# -- operators ----------------------------------------------------------------------------------


def _operands(resolver: Resolver, nodes: Sequence[cst.BaseExpression], env: Env) -> list[Value]:
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


def _binary(resolver: Resolver, node: cst.BinaryOperation, env: Env) -> Value:
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


def _unary(resolver: Resolver, node: cst.UnaryOperation, env: Env) -> Value:
    value = resolver.value(node.expression, env)
    if value.is_column:
        return env.column(node)
    if isinstance(node.operator, cst.Not):
        return Value(not value.data, node, env.file, env.local)
    if isinstance(node.operator, cst.Minus | cst.Plus) and _is_number(value.data):
        sign = -1 if isinstance(node.operator, cst.Minus) else 1
        return Value(sign * value.data, node, env.file, env.local)
    fail(env.file, node, "SF111", f"the compiler cannot negate {value.describe()}", STATIC_HELP)


def _comparison(resolver: Resolver, node: cst.Comparison, env: Env) -> Value:
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


def _boolean(resolver: Resolver, node: cst.BooleanOperation, env: Env) -> Value:
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


HANDLERS: dict[type[cst.CSTNode], Callable[[Resolver, Any, Env], Value]] = {
    **static_strings.HANDLERS,
    cst.List: _sequence, cst.Tuple: _sequence, cst.Set: _set, cst.Dict: _dict,
    cst.Lambda: _lambda, cst.BinaryOperation: _binary, cst.UnaryOperation: _unary,
    cst.Comparison: _comparison, cst.BooleanOperation: _boolean,
}  # fmt: skip
