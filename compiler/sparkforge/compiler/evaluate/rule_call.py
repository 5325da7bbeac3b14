"""Read a `rule(item, action=..., name=...)` call of builder code without running it.

Input: the call node (its callee resolved to `sparkforge.rule`). Output: a `Value` holding a
`RuleCall`: the item, the action and the name, each a `Value` with its own span, so that
`read_rules` can check them with the builder's `rule_actions.option_problem` and point at the
option at fault.

    rule("positive", action="warn")  ->  Value(RuleCall(item=Value("positive"), action=Value("warn"), name=None))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from sparkforge.compiler.evaluate.values import Env, Symbol, Value, fail

Evaluate = Callable[[cst.CSTNode, Env], Value]  # `static_values.Resolver.value`

RULE_FUNCTIONS = frozenset({"sparkforge.rule", "sparkforge.rule_actions.rule"})
_USAGE = 'e.g. rule("positive", action="warn", name="positive_amount")'


@dataclass(frozen=True, slots=True, eq=False)
class RuleCall:
    """`rule(...)` as written: the item and the options given (None: not given)."""

    item: Value
    action: Value | None = None
    name: Value | None = None


def is_rule_function(data: object) -> bool:
    return isinstance(data, Symbol) and data.name in RULE_FUNCTIONS


def read_rule_call(evaluate: Evaluate, node: cst.Call, env: Env) -> Value:
    """The call's item and options as Values; the wrong shape of call is SF410."""
    positional = [a for a in node.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    starred = any(a.star for a in node.args)
    if starred or len(positional) != 1 or set(keywords) - {"action", "name"}:
        fail(env.file, node, "SF410", "rule(...) takes one rule item and the keywords action= and name=", _USAGE)
    item = evaluate(positional[0].value, env)
    options = {key: evaluate(value, env) for key, value in keywords.items()}
    call = RuleCall(item, options.get("action"), options.get("name"))
    return Value(call, node, env.file, env.local)
