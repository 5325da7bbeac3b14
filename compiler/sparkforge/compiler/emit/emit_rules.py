"""Emit validation rules as PySpark source: the same Columns that `sparkforge_runtime.rules` builds.

Input: `ir.RuleSpec`s. Output: `Rule(...)` constructor calls as source text, labelled exactly like
`rule_from_shorthand` / `rule_from_operator` / `rule_from_sql` label them at run time.

    RuleSpec("amount", SHORTHAND, "positive")      ->  Rule("amount", "positive", F.col("amount") > 0)
    RuleSpec("status", OPERATOR, "in", (["a"],))   ->  Rule("status", "in(['a'])", F.col("status").isin(["a"]))

A test evaluates every template against a live session and compares it with the runtime's Column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.emit.black_layout import Code
from sparkforge.compiler.emit.literals import UnwritableValue
from sparkforge.ir import RuleKind, RuleSpec, Span
from sparkforge.rule_names import operator_label

# Placeholders receive literals rendered by `Code.literal`: `{c}` the column, `{0}`, `{1}` the values.
SHORTHAND_EXPRESSIONS: dict[str, str] = {
    "not_null": "F.col({c}).isNotNull()",
    "positive": "F.col({c}) > 0",
    "non_negative": "F.col({c}) >= 0",
    "non_zero": "F.col({c}) != 0",
    "not_empty": "F.col({c}).isNotNull() & (F.length(F.col({c})) > 0)",
}
OPERATOR_EXPRESSIONS: dict[str, str] = {
    "gt": "F.col({c}) > {0}",
    "gte": "F.col({c}) >= {0}",
    "lt": "F.col({c}) < {0}",
    "lte": "F.col({c}) <= {0}",
    "eq": "F.col({c}) == {0}",
    "ne": "F.col({c}) != {0}",
    "in": "F.col({c}).isin({0})",
    "not_in": "~F.col({c}).isin({0})",
    "like": "F.col({c}).like({0})",
    "between": "F.col({c}).between({0}, {1})",
}
# The runtime calls `isin(list(v))`; the job writes the same list.
LIST_OPERATORS = frozenset({"in", "not_in"})
# `x == True` / `x == None` would trip linters (E711/E712) in the job; F.lit gives the same Column.
LIT_OPERATORS = frozenset({"eq", "ne"})
NO_SPAN = Span("<pipeline>", 0, 0)


def _fail(rule: RuleSpec, message: str, help_text: str | None = None) -> CompileError:
    return CompileError(Diagnostic("SF601", message, rule.span or NO_SPAN, help_text))


def _value(rule: RuleSpec, value: Any, code: Code) -> str:
    if rule.name in LIST_OPERATORS:
        if not isinstance(value, list | tuple | str):
            raise _fail(
                rule, f"rule {rule.name!r} on column {rule.column!r} needs a list of values"
            )
        value = list(value)
    try:
        text = code.literal(value)
    except UnwritableValue as exc:
        raise _fail(rule, f"rule on column {rule.column!r}: {exc}") from None
    wrap = rule.name in LIT_OPERATORS and (value is None or isinstance(value, bool))
    return f"F.lit({text})" if wrap else text


def rule_expression(rule: RuleSpec, code: Code) -> str:
    """The PySpark expression of one rule, as source text; `code` learns whether it is black's."""
    column = code.literal(rule.column)
    if rule.kind is RuleKind.SHORTHAND:
        if rule.name not in SHORTHAND_EXPRESSIONS:
            raise _fail(
                rule, f"unknown rule {rule.name!r}", f"use one of {sorted(SHORTHAND_EXPRESSIONS)}"
            )
        return SHORTHAND_EXPRESSIONS[rule.name].format(c=column)
    if rule.kind is RuleKind.OPERATOR:
        if rule.name not in OPERATOR_EXPRESSIONS:
            raise _fail(
                rule,
                f"unknown rule operator {rule.name!r}",
                f"use one of {sorted(OPERATOR_EXPRESSIONS)}",
            )
        values = [_value(rule, v, code) for v in rule.args]
        return OPERATOR_EXPRESSIONS[rule.name].format(*values, c=column)
    if rule.kind is RuleKind.SQL:
        return f"F.expr({code.literal(rule.args[0])})"
    if rule.source is None:
        raise ValueError(f"Column rule on {rule.column!r} has no source text (compiler path only)")
    code.exact = False  # the user's own expression, as written: black formats it
    # A trailing comment in the user's expression must not swallow the closing parenthesis.
    return rule.source.strip() + ("\n" if "#" in rule.source else "")


def rule_label(rule: RuleSpec) -> str | None:
    """The name the runtime gives the rule (None: named after the expression at run time)."""
    if rule.alias is not None:
        return rule.alias
    if rule.kind is RuleKind.SHORTHAND:
        return rule.name
    if rule.kind is RuleKind.OPERATOR:
        return operator_label(rule.name, rule.args)
    if rule.kind is RuleKind.SQL:
        return str(rule.args[0])
    return None


def _rule_arguments(rule: RuleSpec, code: Code) -> list[str]:
    column, label = code.literal(rule.column), code.literal(rule_label(rule))
    action = [f"action={code.literal(rule.action)}"] if rule.action != "drop" else []
    return [column, label, rule_expression(rule, code), *action]


def emit_rule(rule: RuleSpec) -> str:
    return f"Rule({', '.join(_rule_arguments(rule, Code(plain=True)))})"


def emit_rules(
    rules: Sequence[RuleSpec], code: Code, depth: int, head: str = "rules=(", close: str = "),"
) -> None:
    """A tuple of `Rule(...)`, one rule per line (the trailing comma keeps it so)."""
    items = [code.call(depth + 1, "Rule", _rule_arguments(rule, code)) for rule in rules]
    code.tuple_of(depth, head, items, close)


def needs_functions_module(rules: Sequence[RuleSpec]) -> bool:
    """True when the emitted rules use `F` (Column-expression rules bring their own imports)."""
    return any(r.kind is not RuleKind.EXPR for r in rules)
