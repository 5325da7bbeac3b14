"""Validate DataFrames against column rules: split valid from invalid rows and count them.

Input: a DataFrame and a rules dict (column -> rule items, every form of `sparkforge.rules`). Output:
the valid rows, the invalid rows with a `_failed_rules` array naming what each row failed, and the
counts, all measured in one aggregate Spark job:

    apply_column_rules(df, {"amount": ["positive"]}, "silver", "clean")
    -> (valid_df, invalid_df[..., _failed_rules=["amount:positive"]], StageStats(total_rows=4, ...))

The Column logic is `sparkforge_runtime.rules` (the same code the runner and compiled jobs run). A rule
that evaluates to NULL fails the row, so valid + invalid == total always holds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType
from sparkforge_runtime.rules import VALID_FLAG, Rule, failed_rules, predicate

from sparkforge.exceptions import ValidationError
from sparkforge.models import StageStats, ValidationResult, check_rate
from sparkforge.rules import ColumnRules, parse_rules, to_runtime_rules, unchecked_columns

__all__ = [
    "FAILED_RULES_COLUMN",
    "and_all_rules",
    "apply_column_rules",
    "assess_data_quality",
    "get_dataframe_info",
    "safe_divide",
    "validate_dataframe_schema",
    "validation_rate",
]

FAILED_RULES_COLUMN = "_failed_rules"


def safe_divide(a: float | None, b: float | None, default: float = 0.0) -> float:
    """a / b, or `default` when b is zero or either side is None."""
    if a is None or b is None or b == 0:
        return default
    return a / b


def validation_rate(valid: int, total: int) -> float:
    """Percentage of valid rows; 100.0 for no rows (nothing failed)."""
    return 100.0 if total == 0 else valid * 100.0 / total


def and_all_rules(rules: ColumnRules | Sequence[Column]) -> Column:
    """One boolean Column that is true when every rule holds; NULL counts as false.

    `rules` is a rules dict (column -> items) or a list of boolean Columns. No rules: always true.
    """
    if isinstance(rules, Mapping):
        return predicate(to_runtime_rules(parse_rules(rules)))
    if rules is None:
        raise ValidationError("rules is None", suggestions=("pass {} or [] for no rules",))
    columns = list(rules)
    bad = [c for c in columns if not isinstance(c, Column)]
    if bad:
        raise ValidationError(
            f"and_all_rules takes a rules dict or a list of Columns; got {bad[0]!r}",
            suggestions=("shorthand and SQL rules need their column: pass {'col': [...]}",),
        )
    return predicate([Rule("", None, c) for c in columns])


def _runtime_rules(df: DataFrame, rules: ColumnRules | None, stage: str | None,
                   step: str | None) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Parsed rules and the columns they name, after checking that the DataFrame has them."""
    specs = parse_rules(rules, step=step, layer=stage)
    assert rules is not None
    named = tuple(dict.fromkeys([*(s.column for s in specs), *unchecked_columns(rules)]))
    missing = [c for c in named if c not in df.columns]
    if missing:
        owner = f"{stage or 'a'} step {step!r}" if step else "validation"
        raise ValidationError(
            f"{owner}: rules name columns the DataFrame lacks: {missing}; "
            f"available columns: {df.columns}",
            step=step,
            layer=stage,
            suggestions=("fix the column names in the rules, or add the columns in the transform",),
        )
    return to_runtime_rules(specs), named


def _counts(flagged: DataFrame, rules: Sequence[Rule], per_rule: bool) -> dict[str, Any]:
    """Total and valid rows (and failures per rule) in one aggregate job."""
    aggs = [F.count(F.lit(1)).alias("total"), F.count_if(F.col(VALID_FLAG)).alias("valid")]
    if per_rule:
        aggs += [F.count_if(~F.coalesce(r.expr, F.lit(False))).alias(f"r{i}")
                 for i, r in enumerate(rules)]
    row = flagged.agg(*aggs).first()
    assert row is not None  # a global aggregate always returns one row
    return row.asDict()


def apply_column_rules(
    df: DataFrame,
    rules: ColumnRules | None,
    stage: str,
    step: str,
    filter_columns_by_rules: bool = True,
) -> tuple[DataFrame, DataFrame, StageStats]:
    """(valid rows, invalid rows with `_failed_rules`, counts).

    With `filter_columns_by_rules` both outputs keep only the columns named in the rules (all
    columns when there are no rules). The outputs are lazy: each action on them re-reads `df`.
    """
    started = time.perf_counter()
    checks, named = _runtime_rules(df, rules, stage, step)
    source = df.select(*named) if filter_columns_by_rules and named else df
    flagged = source.withColumn(VALID_FLAG, predicate(checks))
    counts = _counts(flagged, checks, per_rule=False)
    valid_df = flagged.filter(F.col(VALID_FLAG)).drop(VALID_FLAG)
    invalid_df = (
        flagged.filter(~F.col(VALID_FLAG))
        .withColumn(FAILED_RULES_COLUMN, failed_rules(checks))
        .drop(VALID_FLAG)
    )
    total, valid = int(counts["total"]), int(counts["valid"])
    stats = StageStats(
        stage=stage,
        step=step,
        total_rows=total,
        valid_rows=valid,
        invalid_rows=total - valid,
        validation_rate=validation_rate(valid, total),
        duration_secs=time.perf_counter() - started,
    )
    return valid_df, invalid_df, stats


def assess_data_quality(
    df: DataFrame,
    rules: ColumnRules | None,
    threshold: float = 95.0,
    *,
    stage: str | None = None,
    step: str | None = None,
) -> ValidationResult:
    """Counts, rate, pass/fail against `threshold` (percent), and failed rows per rule label."""
    threshold = check_rate("threshold", threshold)
    checks, _ = _runtime_rules(df, rules, stage, step)
    counts = _counts(df.withColumn(VALID_FLAG, predicate(checks)), checks, per_rule=True)
    total, valid = int(counts["total"]), int(counts["valid"])
    failures: dict[str, int] = {}
    for i, rule in enumerate(checks):
        failures[rule.label] = failures.get(rule.label, 0) + int(counts[f"r{i}"])
    rate = validation_rate(valid, total)
    return ValidationResult(
        passed=rate >= threshold,
        validation_rate=rate,
        threshold=threshold,
        total_rows=total,
        valid_rows=valid,
        invalid_rows=total - valid,
        failed_rule_counts=failures,
        stage=stage,
        step=step,
    )


def validate_dataframe_schema(df: DataFrame, expected_schema: StructType | Sequence[str]) -> bool:
    """True when `df` has every expected column, with the same data type when a StructType is given.

    Extra columns are allowed; nullability is not compared (Spark relaxes it on many operations).
    """
    if isinstance(expected_schema, StructType):
        actual = {f.name: f.dataType for f in df.schema.fields}
        return all(actual.get(f.name) == f.dataType for f in expected_schema.fields)
    return set(expected_schema).issubset(df.columns)


def get_dataframe_info(df: DataFrame) -> dict[str, Any]:
    """Row and column counts, column names and types (one Spark job, for the row count)."""
    rows = df.count()
    return {
        "row_count": rows,
        "column_count": len(df.columns),
        "columns": list(df.columns),
        "dtypes": dict(df.dtypes),
        "schema": df.schema.simpleString(),
        "is_empty": rows == 0,
    }
