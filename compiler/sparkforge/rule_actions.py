"""`rule(item, action=..., name=...)`: one rule item with what a failing row does, and its name.

Input: a rule item as a column's list takes it (shorthand, operator list, SQL string, Column), an
action and an optional name. Output: a `RuleItem` that `sparkforge.rules.parse_rules` reads into a
`RuleSpec` with that `action` and name. The compiler reads the same call statically and checks it
with the same `option_problem`, so both report the same mistakes.

    {"amount": ["not_null", rule("positive", action="warn")],
     "status": [rule(F.col("status").isin("new", "paid"), action="fail", name="known_status")]}

Actions: `drop` (the default, as every rule before: the row is invalid and counts against the
threshold), `warn` (counted and logged, the row stays valid), `fail` (any failing row fails the
step, whatever its threshold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sparkforge.exceptions import InvalidRuleError

__all__ = ["ACTIONS", "RuleItem", "option_problem", "rule"]

ACTIONS = ("drop", "warn", "fail")
DEFAULT_ACTION = "drop"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True, eq=False)
class RuleItem:
    """A rule item with its action and name, as `rule(...)` returns it."""

    item: Any
    action: str = DEFAULT_ACTION
    name: str | None = None


def option_problem(action: object, name: object, *, is_column: bool) -> tuple[str, str, str] | None:
    """What is wrong with these options of `rule(...)`, as (the option at fault, problem, fix);
    None when nothing is."""
    if not isinstance(action, str) or action not in ACTIONS:
        return ("action", f"unknown rule action {action!r}", f"use one of {', '.join(map(repr, ACTIONS))}")
    if name is not None and (not isinstance(name, str) or not _NAME.fullmatch(name)):
        return ("name", f"rule name {name!r} is not a name",
                "use letters, digits and underscores, starting with a letter, e.g. name='positive_amount'")  # fmt: skip
    if is_column and action == "fail" and name is None:
        return ("name", "a Column rule whose action is 'fail' needs a name, so that the step's gate can name it",
                "add name='...', e.g. rule(F.col('amount') > 0, action='fail', name='positive_amount')")  # fmt: skip
    return None


def rule(item: Any, *, action: str = DEFAULT_ACTION, name: str | None = None) -> RuleItem:
    """One rule item with its action (`drop`, `warn` or `fail`) and an optional name, for a column's
    list of rules: `rule("positive", action="warn")`, `rule("amount < 1e6", name="below_limit")`."""
    from pyspark.sql import Column

    if isinstance(item, RuleItem):
        raise InvalidRuleError("rule(rule(...)): a rule takes one action and one name",
                               suggestions=("write rule(item, action=..., name=...) once",))  # fmt: skip
    problem = option_problem(action, name, is_column=isinstance(item, Column))
    if problem is not None:
        raise InvalidRuleError(f"rule({item!r}): {problem[1]}", suggestions=(problem[2],))
    return RuleItem(item, action, name)
