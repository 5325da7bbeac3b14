"""Validation rules as PySpark Columns.

Input: `Rule`s, each one named boolean Column (a compiled job writes them out). Output: the single
predicate that ANDs them with NULL counted as invalid, and the names of the rules a row fails.

    predicate([r1, r2])  ->  coalesce(r1 AND r2, false)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql import functions as F

VALID_FLAG = "__sf_valid"


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """One named rule of one column. `name` None means: name it after the expression. `action`
    is what a failing row does: `drop` (invalid), `warn` (counted, still valid), `fail` (fails
    the step)."""

    column: str
    name: str | None
    expr: Column
    action: str = "drop"

    @property
    def label(self) -> str:
        return f"{self.column}:{self.name if self.name is not None else expr_text(self.expr)}"


def expr_text(column: Column) -> str:
    """The SQL-ish text of a Column, e.g. `(amount > 0)`."""
    text = str(column)
    if text.startswith("Column<'") and text.endswith("'>"):
        return text[len("Column<'") : -len("'>")]
    return text


def predicate(rules: Sequence[Rule]) -> Column:
    """AND of every rule but the `warn` ones (counted, never invalidating); a NULL result counts as
    invalid. No rules: every row is valid."""
    rules = [r for r in rules if r.action != "warn"]
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


def rule_labels(rules: Sequence[Rule]) -> tuple[str, ...]:
    """Each rule's label, unique within its step: a repeated label gets `#2`, `#3`, ..."""
    seen: dict[str, int] = {}
    labels = []
    for rule in rules:
        seen[rule.label] = seen.get(rule.label, 0) + 1
        labels.append(rule.label if seen[rule.label] == 1 else f"{rule.label}#{seen[rule.label]}")
    return tuple(labels)
