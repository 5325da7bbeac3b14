"""Validation rules as PySpark Columns.

Input: `Rule`s, each one named boolean Column (a compiled job writes them out). Output: the single
predicate that ANDs them with NULL counted as invalid, and the names of the rules a row fails.

    predicate([r1, r2])  ->  coalesce(r1 AND r2, false)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F

from sparkforge_runtime.outcome import RuleCount

VALID_FLAG = "__sf_valid"
RULE_COUNT_PREFIX = "__sf_rule_"


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


def failure_counts(rules: Sequence[Rule]) -> list[Column]:
    """One aggregate per rule counting the rows it fails (NULL fails), aliased by position, for
    the same observation that counts valid rows: per-rule counts cost no extra Spark job."""
    return [
        F.count_if(~F.coalesce(r.expr, F.lit(False))).alias(f"{RULE_COUNT_PREFIX}{i}")
        for i, r in enumerate(rules)
    ]


def rule_counts(rules: Sequence[Rule], metrics: Mapping[str, Any]) -> tuple[RuleCount, ...]:
    """Each rule's failed rows, read from the observed `failure_counts` metrics."""
    return tuple(
        RuleCount(label, r.column, r.action, int(metrics.get(f"{RULE_COUNT_PREFIX}{i}") or 0))
        for i, (label, r) in enumerate(zip(rule_labels(rules), rules, strict=True))
    )


def fail_breach(failures: Mapping[str, int], fail_on: Sequence[str], rows: int) -> str | None:
    """What fails a step whose `fail` rules failed rows: `rule 'x' failed 3 ...`; None when none did."""
    broken = [(label, n) for label, n in failures.items() if label in set(fail_on) and n]
    if not broken:
        return None
    (label, n), rest = broken[0], broken[1:]
    return f"rule {label!r} failed {n} of {rows} rows and its action is 'fail'" + "".join(
        f"; rule {other!r} failed {count}" for other, count in rest
    )
