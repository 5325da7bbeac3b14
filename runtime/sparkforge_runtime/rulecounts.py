"""Per-rule counts and actions: how many rows each rule of a step failed, and what `fail` does.

Input: a step's `Rule`s and the metrics of its validating scan. Output: one aggregate per rule
for that scan (so the counts cost no extra Spark job), the `RuleCount`s read back from its
metrics, the breach of a rule whose action is `fail`, and the progress line that names the rules
that failed most.

    rule_counts(rules, {"__sf_rule_0": 12})  ->  (RuleCount("amount:positive", "amount", "drop", 12),)
    format_rule_failures(outcome)            ->  "rules failed: amount:positive 12"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pyspark.sql import Column
from pyspark.sql import functions as F

from sparkforge_runtime.rules import Rule, rule_labels

RULE_COUNT_PREFIX = "__sf_rule_"


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How many rows one rule of a step failed (NULL fails), counted in the validating scan."""

    label: str  # `column:name`, unique within the step
    column: str
    action: str
    failed_rows: int


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


class Counted(Protocol):
    """What `format_rule_failures` reads of a `StepOutcome`."""

    rule_counts: tuple[RuleCount, ...]


def format_rule_failures(outcome: Counted, top: int = 3) -> str | None:
    """The rules that failed any row, most failures first: `rules failed: amount:positive 12, ...`."""
    failing = sorted((r for r in outcome.rule_counts if r.failed_rows), key=lambda r: (-r.failed_rows, r.label))
    if not failing:
        return None
    shown = [f"{r.label} {r.failed_rows:,}" + (f" ({r.action})" if r.action != "drop" else "") for r in failing[:top]]
    more = f" (+{len(failing) - top} more)" if len(failing) > top else ""
    return f"rules failed: {', '.join(shown)}{more}"
