"""Validation rules as PySpark Columns.

Input: rule items (shorthand names, operator lists, SQL strings, Columns). Output: `Rule` objects, each
one named boolean Column, and the single predicate that ANDs them with NULL counted as invalid.

    rule_from_shorthand("amount", "positive")  ->  Rule("amount", "positive", F.col("amount") > 0)
    predicate([r1, r2])                        ->  coalesce(r1 AND r2, false)

The compiler writes the same expressions into generated jobs as source text; a test keeps both in step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F

SHORTHANDS: dict[str, Callable[[str], Column]] = {
    "not_null": lambda c: F.col(c).isNotNull(),
    "positive": lambda c: F.col(c) > 0,
    "non_negative": lambda c: F.col(c) >= 0,
    "non_zero": lambda c: F.col(c) != 0,
    "not_empty": lambda c: F.col(c).isNotNull() & (F.length(F.col(c)) > 0),
}

# Operator name -> (number of arguments or None for "one list", builder of the Column).
OPERATORS: dict[str, tuple[int, Callable[..., Column]]] = {
    "gt": (1, lambda c, v: F.col(c) > v),
    "gte": (1, lambda c, v: F.col(c) >= v),
    "lt": (1, lambda c, v: F.col(c) < v),
    "lte": (1, lambda c, v: F.col(c) <= v),
    "eq": (1, lambda c, v: F.col(c) == v),
    "ne": (1, lambda c, v: F.col(c) != v),
    "in": (1, lambda c, v: F.col(c).isin(list(v))),
    "not_in": (1, lambda c, v: ~F.col(c).isin(list(v))),
    "like": (1, lambda c, v: F.col(c).like(v)),
    "between": (2, lambda c, lo, hi: F.col(c).between(lo, hi)),
}

VALID_FLAG = "__sf_valid"


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """One named rule of one column. `name` None means: name it after the expression."""

    column: str
    name: str | None
    expr: Column

    @property
    def label(self) -> str:
        return f"{self.column}:{self.name if self.name is not None else expr_text(self.expr)}"


def expr_text(column: Column) -> str:
    """The SQL-ish text of a Column, e.g. `(amount > 0)`."""
    text = str(column)
    if text.startswith("Column<'") and text.endswith("'>"):
        return text[len("Column<'") : -len("'>")]
    return text


def rule_from_shorthand(column: str, name: str) -> Rule:
    if name not in SHORTHANDS:
        raise ValueError(f"unknown shorthand rule {name!r}; use one of {sorted(SHORTHANDS)}")
    return Rule(column, name, SHORTHANDS[name](column))


def operator_label(op: str, args: Sequence[Any]) -> str:
    return f"{op}({', '.join(repr(a) for a in args)})"


def rule_from_operator(column: str, op: str, args: Sequence[Any]) -> Rule:
    if op not in OPERATORS:
        raise ValueError(f"unknown rule operator {op!r}; use one of {sorted(OPERATORS)}")
    arity, build = OPERATORS[op]
    if len(args) != arity:
        raise ValueError(f"rule operator {op!r} takes {arity} value(s), got {len(args)}")
    return Rule(column, operator_label(op, args), build(column, *args))


def rule_from_sql(column: str, text: str) -> Rule:
    return Rule(column, text, F.expr(text))


def predicate(rules: Sequence[Rule]) -> Column:
    """AND of every rule; a NULL result counts as invalid. No rules: every row is valid."""
    if not rules:
        return F.lit(True)
    combined = rules[0].expr
    for rule in rules[1:]:
        combined = combined & rule.expr
    return F.coalesce(combined, F.lit(False))


def failed_rules(rules: Sequence[Rule]) -> Column:
    """An array naming each rule a row fails (NULL counts as failed)."""
    checks = [F.when(~F.coalesce(r.expr, F.lit(False)), F.lit(r.label)) for r in rules]
    if not checks:
        return F.array().cast("array<string>")
    return F.filter(F.array(*checks), lambda x: x.isNotNull())
