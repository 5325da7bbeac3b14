"""Rules as PySpark Columns, for the interpreted runner and the validation helpers.

Input: rule items (shorthand names, operator lists, SQL strings). Output: `Rule` objects, each one
named boolean Column; compiled jobs write the same expressions as source (`emit_rules`), and a test
keeps both in step.

    rule_from_shorthand("amount", "positive")  ->  Rule("amount", "positive", F.col("amount") > 0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F
from sparkforge_runtime.rules import Rule

from sparkforge.rule_names import OPERATOR_ARITY, SHORTHAND_NAMES, operator_label

SHORTHANDS: dict[str, Callable[[str], Column]] = {
    "not_null": lambda c: F.col(c).isNotNull(),
    "positive": lambda c: F.col(c) > 0,
    "non_negative": lambda c: F.col(c) >= 0,
    "non_zero": lambda c: F.col(c) != 0,
    "not_empty": lambda c: F.col(c).isNotNull() & (F.length(F.col(c)) > 0),
}
OPERATORS: dict[str, Callable[..., Column]] = {
    "gt": lambda c, v: F.col(c) > v,
    "gte": lambda c, v: F.col(c) >= v,
    "lt": lambda c, v: F.col(c) < v,
    "lte": lambda c, v: F.col(c) <= v,
    "eq": lambda c, v: F.col(c) == v,
    "ne": lambda c, v: F.col(c) != v,
    "in": lambda c, v: F.col(c).isin(list(v)),
    "not_in": lambda c, v: ~F.col(c).isin(list(v)),
    "like": lambda c, v: F.col(c).like(v),
    "between": lambda c, lo, hi: F.col(c).between(lo, hi),
}
assert set(SHORTHANDS) == set(SHORTHAND_NAMES) and set(OPERATORS) == set(OPERATOR_ARITY)


def rule_from_shorthand(column: str, name: str) -> Rule:
    if name not in SHORTHANDS:
        raise ValueError(f"unknown shorthand rule {name!r}; use one of {sorted(SHORTHANDS)}")
    return Rule(column, name, SHORTHANDS[name](column))


def rule_from_operator(column: str, op: str, args: Sequence[Any]) -> Rule:
    if op not in OPERATORS:
        raise ValueError(f"unknown rule operator {op!r}; use one of {sorted(OPERATORS)}")
    if len(args) != OPERATOR_ARITY[op]:
        raise ValueError(f"rule operator {op!r} takes {OPERATOR_ARITY[op]} value(s), got {len(args)}")
    return Rule(column, operator_label(op, list(args)), OPERATORS[op](column, *args))


def rule_from_sql(column: str, text: str) -> Rule:
    return Rule(column, text, F.expr(text))
