"""Rule items as users write them -> `ir.RuleSpec` data -> runtime `Rule` Columns.

Input: a rules dict, column name -> rule items (SPEC section 1): PySpark Columns, shorthand strings,
operator lists nested or flat, SQL strings. Output: one `ir.RuleSpec` per item, checked when the step is
defined; `to_runtime_rules` turns them into the runtime's named Columns.

    {"amount": ["positive", ["lt", 1e6]], "status": ["in", ["new", "paid"]]}
    -> (RuleSpec("amount", SHORTHAND, "positive"), RuleSpec("amount", OPERATOR, "lt", (1e6,)),
        RuleSpec("status", OPERATOR, "in", (["new", "paid"],)))

The builder and the compiler parse rules with these functions, so both accept exactly the same forms.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from pyspark.sql import Column
from sparkforge_runtime.rules import Rule, expr_text

from sparkforge.exceptions import InvalidRuleError, ValidationError
from sparkforge.ir import RuleKind, RuleSpec
from sparkforge.rule_actions import RuleItem, option_problem
from sparkforge.rule_columns import rule_from_operator, rule_from_shorthand, rule_from_sql
from sparkforge.rule_names import OPERATOR_ARITY as OPERATORS
from sparkforge.rule_names import SHORTHAND_NAMES as SHORTHANDS
from sparkforge.security.checks import check_sql_rule
from sparkforge.suggest import hints, looks_like_typo

__all__ = ["ColumnRules", "parse_rules", "to_runtime_rules", "unchecked_columns"]

ColumnRules = Mapping[str, Any]
"""column name -> list of rule items (or a single item)."""

_SCALARS = (bool, int, float, str, Decimal, date)  # datetime is a date
_LIST_OPERATORS = frozenset({"in", "not_in"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FORMS = (
    "shorthand: 'not_null', 'positive', 'non_negative', 'non_zero', 'not_empty'",
    "operator list: ['gt', 0], ['in', ['a', 'b']], ['like', 'A%'], ['between', 1, 10]",
    "SQL string: 'amount > 0 AND amount < 1e6', or a Column: F.col('amount') > 0",
)


class _Where:
    """The step and column a rule item belongs to, for error messages."""

    def __init__(self, step: str | None, layer: str | None, column: str) -> None:
        self.step, self.layer, self.column = step, layer, column

    def fail(self, item: object, problem: str, suggestions: Sequence[str] = ()) -> NoReturn:
        owner = f"{self.layer or 'a'} step {self.step!r}" if self.step else "rules"
        raise InvalidRuleError(
            f"{owner}: rule {item!r} of column {self.column!r}: {problem}",
            step=self.step,
            layer=self.layer,
            suggestions=suggestions,
        )


def parse_rules(
    rules: ColumnRules | None, *, step: str | None = None, layer: str | None = None
) -> tuple[RuleSpec, ...]:
    """Every item of every column as a RuleSpec, in the order written. `{}` means no rules."""
    _check_mapping(rules, step, layer)
    assert rules is not None
    specs: list[RuleSpec] = []
    for column, value in rules.items():
        where = _Where(step, layer, column)
        _check_column(column, where)
        specs.extend(_parse_item(item, where) for item in _items(value, where))
    return tuple(specs)


def unchecked_columns(rules: ColumnRules) -> tuple[str, ...]:
    """Columns given an empty list: kept by `filter_columns_by_rules`, never checked."""
    return tuple(c for c, v in rules.items() if isinstance(v, list | tuple) and not v)


def _check_mapping(rules: object, step: str | None, layer: str | None) -> None:
    owner = f"{layer or 'a'} step {step!r}" if step else "validation"
    if rules is None:
        raise ValidationError(
            f"{owner}: rules is None",
            step=step,
            layer=layer,
            suggestions=("pass {} to accept every row, or a dict such as {'id': ['not_null']}",),
        )
    if not isinstance(rules, Mapping):
        raise InvalidRuleError(
            f"{owner}: rules must be a dict of column name -> list of rules, "
            f"got {type(rules).__name__}",
            step=step,
            layer=layer,
            suggestions=("e.g. rules={'id': ['not_null'], 'amount': ['positive']}",),
        )


def _check_column(column: object, where: _Where) -> None:
    if not isinstance(column, str) or not column.strip():
        where.fail(column, "column names must be non-empty strings")


def _items(value: object, where: _Where) -> list[Any]:
    """The items of one column: a lone item, a flat operator list, or a list of items."""
    if isinstance(value, str | Column | RuleItem):
        return [value]
    if not isinstance(value, list | tuple):
        where.fail(value, f"expected a list of rules, got {type(value).__name__}", _FORMS)
    if _looks_like_flat_operator(value):
        return [value]
    return list(value)


def _looks_like_flat_operator(value: Sequence[Any]) -> bool:
    """["gt", 0] is one item; ["not_null", "positive"] is two. An unknown operator followed by a
    literal value (["greater", 0]) is still read as an operator, so its error names the operator."""
    if len(value) < 2 or not isinstance(value[0], str):
        return False
    if value[0] in OPERATORS:
        return True
    literal = any(not isinstance(v, str | Column | list | tuple) for v in value[1:])
    return literal and value[0] not in SHORTHANDS


def _parse_item(item: object, where: _Where) -> RuleSpec:
    if isinstance(item, RuleItem):
        return _parse_rule_item(item, where)
    if isinstance(item, Column):
        return RuleSpec(where.column, RuleKind.EXPR, expr_text(item), column_obj=item)
    if isinstance(item, str):
        return _parse_string(item, where)
    if isinstance(item, list | tuple):
        return _parse_operator(item, where)
    where.fail(item, f"not a rule form (got {type(item).__name__})", _FORMS)


def _parse_rule_item(item: RuleItem, where: _Where) -> RuleSpec:
    """`rule(inner, action=..., name=...)`: the inner item parsed alone, with its action and name."""
    inner = item.item
    if isinstance(inner, RuleItem) or (
        isinstance(inner, list | tuple) and not _looks_like_flat_operator(inner)
    ):
        where.fail(inner, "rule(...) takes one rule item", ("wrap each item in its own rule(...)",))
    problem = option_problem(item.action, item.name, is_column=isinstance(inner, Column))
    if problem is not None:
        where.fail(inner, problem[1], (problem[2],))
    spec = _parse_item(inner, where)
    return dataclasses.replace(spec, action=item.action, alias=item.name)


def _parse_string(text: str, where: _Where) -> RuleSpec:
    name = text.strip()
    if not name:
        where.fail(text, "an empty string is not a rule", _FORMS)
    if name in SHORTHANDS:
        return RuleSpec(where.column, RuleKind.SHORTHAND, name)
    if name in OPERATORS:
        where.fail(text, f"operator {name!r} needs a value", (f"write it as {_example(name)}",))
    if _IDENTIFIER.fullmatch(name):
        meant = looks_like_typo(name, [*SHORTHANDS, *OPERATORS])
        if meant is not None:
            where.fail(text, "unknown rule", (f"did you mean {meant!r}?",))
    return RuleSpec(where.column, RuleKind.SQL, "sql", (_checked_sql(name, where),))


def _checked_sql(text: str, where: _Where) -> str:
    """The SQL text if the security checks accept it as one boolean expression."""
    problem = check_sql_rule(text)
    if problem is not None:
        where.fail(text, f"unsafe or invalid SQL rule: {problem.describe()}", problem.suggestions)
    return text


def _example(op: str) -> str:
    if op in _LIST_OPERATORS:
        return f"[{op!r}, ['a', 'b']]"
    if op == "like":
        return "['like', 'A%']"
    if op == "between":
        return "['between', 1, 10]"
    return f"[{op!r}, 0]"


def _parse_operator(seq: Sequence[Any], where: _Where) -> RuleSpec:
    shown = list(seq)
    if not seq or not isinstance(seq[0], str):
        where.fail(shown, "an operator list starts with the operator name", _FORMS[1:2])
    op, values = seq[0], tuple(seq[1:])
    if op not in OPERATORS:
        where.fail(shown, f"unknown operator {op!r}",
                   [*hints(op, OPERATORS), f"operators: {', '.join(OPERATORS)}"])
    if op in _LIST_OPERATORS:
        return RuleSpec(where.column, RuleKind.OPERATOR, op, (_value_list(op, values, where),))
    arity = OPERATORS[op]
    if len(values) != arity:
        where.fail(shown, f"{op!r} takes {arity} value(s), got {len(values)}",
                   (f"write it as {_example(op)}",))
    for value in values:
        _check_scalar(op, value, shown, where)
    if op == "like" and not isinstance(values[0], str):
        where.fail(shown, "'like' takes a string pattern", (f"write it as {_example(op)}",))
    if op == "between":
        _check_range(values, shown, where)
    return RuleSpec(where.column, RuleKind.OPERATOR, op, values)


def _value_list(op: str, values: tuple[Any, ...], where: _Where) -> list[Any]:
    """The one list argument of in / not_in; sets are sorted so that labels are deterministic."""
    shown = [op, *values]
    if len(values) != 1 or not isinstance(values[0], list | tuple | set | frozenset):
        where.fail(shown, f"{op!r} takes one list of values", (f"write it as {_example(op)}",))
    items = values[0]
    listed = sorted(items) if isinstance(items, set | frozenset) else list(items)
    if not listed:
        where.fail(shown, f"{op!r} with an empty list matches {'nothing' if op == 'in' else 'all'}")
    for value in listed:
        _check_scalar(op, value, shown, where)
    return listed


def _check_scalar(op: str, value: object, shown: object, where: _Where) -> None:
    if value is None:
        where.fail(shown, f"{op!r} with None is never true (comparisons with NULL are NULL)",
                   ("use 'not_null', or a SQL rule such as 'x IS NULL OR x > 0'",))
    if not isinstance(value, _SCALARS):
        where.fail(shown, f"operator values must be literals, got {type(value).__name__}",
                   ("compare columns with a Column rule (F.col('a') > F.col('b')) or SQL 'a > b'",))


def _check_range(values: tuple[Any, ...], shown: object, where: _Where) -> None:
    low, high = values
    try:
        inverted = bool(low > high)
    except TypeError:
        where.fail(shown, f"'between' bounds {low!r} and {high!r} cannot be compared")
    if inverted:
        where.fail(shown, "'between' low bound is above the high bound, so nothing matches",
                   (f"write ['between', {high!r}, {low!r}]",))


def to_runtime_rules(specs: Sequence[RuleSpec]) -> tuple[Rule, ...]:
    """The runtime's named Columns for these rules, in the same order."""
    return tuple(_to_runtime_rule(spec) for spec in specs)


def _to_runtime_rule(spec: RuleSpec) -> Rule:
    rule = _runtime_column_rule(spec)
    if spec.alias is None and spec.action == rule.action:
        return rule
    name = spec.alias if spec.alias is not None else rule.name
    return dataclasses.replace(rule, name=name, action=spec.action)


def _runtime_column_rule(spec: RuleSpec) -> Rule:
    if spec.kind is RuleKind.SHORTHAND:
        return rule_from_shorthand(spec.column, spec.name)
    if spec.kind is RuleKind.OPERATOR:
        return rule_from_operator(spec.column, spec.name, spec.args)
    if spec.kind is RuleKind.SQL:
        return rule_from_sql(spec.column, str(spec.args[0]))
    if spec.column_obj is None:
        raise ValidationError(
            f"the Column rule on {spec.column!r} ({spec.source or spec.name}) has no Column object; "
            "it comes from source code and only runs inside a compiled job"
        )
    return Rule(spec.column, None, spec.column_obj)
