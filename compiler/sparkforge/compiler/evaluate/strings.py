"""The literal cases of the static evaluator: strings, f-strings and numbers.

Input: a string, f-string or number node. Output: its `Value`; an f-string's expressions must be
constants (str, int, float, bool) and are formatted with their conversion and format spec.

    f"{ENV}_{TABLE!s:>8}"   with ENV = "prod", TABLE = "orders"   ->   Value("prod_  orders")
    b"raw"                                                      ->   SF113 (bytes are no name)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import libcst as cst

from sparkforge.compiler.evaluate.evaluator import Evaluator
from sparkforge.compiler.evaluate.values import STATIC_HELP, Env, Value, fail


def _string(resolver: Evaluator, node: cst.BaseString, env: Env) -> Value:
    if isinstance(node, cst.ConcatenatedString):
        left, right = resolver.value(node.left, env), resolver.value(node.right, env)
        return Value(left.data + right.data, node, env.file, env.local)
    assert isinstance(node, cst.SimpleString)
    text = _evaluated(node.value)
    if isinstance(text, bytes):
        fail(env.file, node, "SF113", "bytes are not accepted here; use a str", None)
    return Value(text, node, env.file, env.local)


@lru_cache(maxsize=4096)
def _evaluated(literal: str) -> str | bytes:
    """What libcst's `evaluated_value` computes; a pipeline repeats the same few strings a lot."""
    value: str | bytes = ast.literal_eval(literal)
    return value


def _number(resolver: Evaluator, node: cst.Integer | cst.Float | cst.Imaginary, env: Env) -> Value:
    return Value(node.evaluated_value, node, env.file, env.local)


def _fstring(resolver: Evaluator, node: cst.FormattedString, env: Env) -> Value:
    return Value(_format_parts(resolver, node, node.parts, env), node, env.file, env.local)


def _format_parts(resolver: Evaluator, node: cst.FormattedString,
                  parts: Sequence[cst.BaseFormattedStringContent], env: Env) -> str:  # fmt: skip
    out: list[str] = []
    for part in parts:
        if isinstance(part, cst.FormattedStringText):
            text = part.value.replace("{{", "{").replace("}}", "}")
            prefix = node.prefix.replace("f", "").replace("F", "")
            out.append(ast.literal_eval(f"{prefix}{node.quote}{text}{node.quote}"))
            continue
        assert isinstance(part, cst.FormattedStringExpression)
        out.append(_format_expression(resolver, node, part, env))
    return "".join(out)


def _format_expression(resolver: Evaluator, node: cst.FormattedString,
                       part: cst.FormattedStringExpression, env: Env) -> str:  # fmt: skip
    value = resolver.value(part.expression, env).plain()
    if part.equal is not None or not isinstance(value, str | int | float | bool | None):
        fail(env.file, part.expression, "SF111", "an f-string may only hold constants of type "
             f"str, int, float or bool, not {type(value).__name__}", STATIC_HELP)
    conversions: dict[str, Callable[[object], object]] = {"r": repr, "s": str, "a": ascii}
    convert = conversions.get(part.conversion or "")
    converted = convert(value) if convert else value
    spec = _format_parts(resolver, node, part.format_spec or (), env)
    if re.search(r"\d{5,}", spec):  # a width of millions of characters: memory, not a name
        fail(env.file, part.expression, "SF111", f"format spec {spec!r} is too wide", None)
    try:
        return format(converted, spec)
    except ValueError as err:
        fail(env.file, part.expression, "SF111", f"bad format spec {spec!r}: {err}", None)



HANDLERS: dict[type[cst.CSTNode], Callable[[Evaluator, Any, Env], Value]] = {
    cst.SimpleString: _string, cst.ConcatenatedString: _string, cst.FormattedString: _fstring,
    cst.Integer: _number, cst.Float: _number, cst.Imaginary: _number,
}  # fmt: skip
