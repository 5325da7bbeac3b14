"""The rule vocabulary, as plain data: shorthand names and operators with their number of values.

Input: nothing. Output: names that the builder, the compiler's front end and the emitters check
rules against, without importing pyspark (so `sparkforge graph` and `explain` need no JVM).

    OPERATOR_ARITY["between"]  ->  2
"""

from __future__ import annotations

SHORTHAND_NAMES = ("not_null", "positive", "non_negative", "non_zero", "not_empty")
# Operator name -> how many values it takes (`in` / `not_in`: one list).
OPERATOR_ARITY: dict[str, int] = {
    "gt": 1, "gte": 1, "lt": 1, "lte": 1, "eq": 1, "ne": 1,
    "in": 1, "not_in": 1, "like": 1, "between": 2,
}  # fmt: skip


def operator_label(op: str, args: tuple[object, ...] | list[object]) -> str:
    """How an operator rule is named in results and logs: `gt(0)`, `in(['a', 'b'])`."""
    return f"{op}({', '.join(repr(a) for a in args)})"
