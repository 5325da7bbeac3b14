"""Frontend pass: read each step's `rules` into `ir.RuleSpec`s, with the builder's own rule parser.

Input: the `rules` argument of every step (dict literal, constant, rule helper, `{**A, ...}`, `A | B`).
Output: `Step.rules` and `Step.unchecked_columns`, each spec with the span of its item, and
`Unit.rule_code`, the Column expressions the job must carry as code. Every item except a Column goes
through `sparkforge.rules.parse_rules`, so the compiler accepts exactly what the builder accepts and
reports the same message: rules not a dict (SF401), a bad column entry (SF402), an unknown rule or
operator (SF403), a malformed operator list (SF404), an unsafe SQL string (SF405). A Column rule is kept
as its exact source text (RuleKind.EXPR); what it may use was checked when it was evaluated (SF406).

    {"amount": ["positive", ["lt", 1e6]], "ok": [F.col("ok").isNotNull()]}
    -> (RuleSpec("amount", SHORTHAND, "positive"), RuleSpec("amount", OPERATOR, "lt", (1e6,)),
        RuleSpec("ok", EXPR, 'F.col("ok").isNotNull()', source='F.col("ok").isNotNull()'))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.frames import frozen_node
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.rule_call import RuleCall
from sparkforge.compiler.evaluate.values import Env, Value, problems
from sparkforge.compiler.read.call_arguments import Argument
from sparkforge.compiler.read.unit import CodeRef, Unit, from_error
from sparkforge.exceptions import SparkForgeError
from sparkforge.ir import RuleKind, RuleSpec, Step
from sparkforge.rule_actions import option_problem
from sparkforge.rule_names import OPERATOR_ARITY as OPERATORS
from sparkforge.rule_names import SHORTHAND_NAMES as SHORTHANDS
from sparkforge.rules import parse_rules


def read_rules(unit: Unit) -> Unit:
    main, builder, pipeline = unit.main, unit.builder, unit.pipeline
    if main is None or builder is None or pipeline is None:
        return unit
    reader = _RuleReader(Resolver(unit.files), Env(main, builder.local))
    steps = tuple(
        reader.step(step, code.args["rules"], code.call.env(main, builder.local))
        if "rules" in code.args else step
        for step, code in zip(pipeline.steps, unit.steps, strict=True)
    )
    return dataclasses.replace(
        unit.report(*reader.diagnostics),
        pipeline=dataclasses.replace(pipeline, steps=steps),
        rule_code=(*unit.rule_code, *reader.code),
    )


class _RuleReader:
    def __init__(self, resolver: Resolver, env: Env) -> None:
        self.resolver, self.env = resolver, env
        self.diagnostics: list[Diagnostic] = []
        self.code: list[CodeRef] = []

    def step(self, step: Step, arg: Argument, env: Env) -> Step:
        try:
            rules = arg if isinstance(arg, Value) else self.resolver.value(arg, env)
        except CompileError as err:
            self.diagnostics.extend(problems(err))
            return step
        if not isinstance(rules.data, dict):
            self._parse(step, rules.plain(), rules, "SF401")  # the builder's message, then stop
            return step
        specs = [spec for column, value in rules.data.items() for spec in self._column(step, column, value)]
        unchecked = tuple(c for c, v in rules.data.items() if isinstance(v.data, list | tuple) and not v.data)
        return dataclasses.replace(step, rules=tuple(specs), unchecked_columns=unchecked)

    def _column(self, step: Step, column: Any, value: Value) -> list[RuleSpec]:
        """The specs of one column; each item is parsed alone so that its error points at it."""
        if not isinstance(column, str) or not column.strip():
            self._parse(step, {column: []}, value, "SF402")  # the builder's message for the name
            return []
        if value.is_column:
            return [spec for spec in (self._expr(column, value),) if spec is not None]
        if isinstance(value.data, RuleCall):
            return self._rule_call(step, column, value)
        if not isinstance(value.data, list | tuple) or _is_flat_operator(value.data):
            return list(self._parse(step, {column: value.plain()}, value, _code(value.plain())))
        specs: list[RuleSpec] = []
        for item in value.data:
            if item.is_column:
                spec = self._expr(column, item)
                specs.extend((spec,) if spec is not None else ())
            elif isinstance(item.data, RuleCall):
                specs.extend(self._rule_call(step, column, item))
            else:
                specs.extend(self._parse(step, {column: [item.plain()]}, item, _code(item.plain())))
        return specs

    def _rule_call(self, step: Step, column: str, at: Value) -> list[RuleSpec]:
        """`rule(item, action=..., name=...)`: the item read alone, then its options checked (SF408
        an unknown action, SF409 a bad name, SF410 not one rule item)."""
        call: RuleCall = at.data
        inner, owner = call.item, f"{step.layer.value} step {step.name!r}"
        if isinstance(inner.data, RuleCall | dict) or (
            isinstance(inner.data, list | tuple) and not _is_flat_operator(inner.data)
        ):
            self.diagnostics.append(Diagnostic(
                "SF410", f"{owner}: rule(...) on column {column!r} takes one rule item, got {inner.describe()}",
                inner.span, "wrap each item in its own rule(...): [rule('not_null'), rule('positive', action='warn')]",
            ))  # fmt: skip
            return []
        action = call.action.plain() if call.action is not None else "drop"
        name = call.name.plain() if call.name is not None else None
        problem = option_problem(action, name, is_column=inner.is_column)
        if problem is not None:
            option = call.action if problem[0] == "action" else call.name
            code = "SF408" if problem[0] == "action" else "SF409"
            self.diagnostics.append(Diagnostic(
                code, f"{owner}: column {column!r}: {problem[1]}", (option or at).span, problem[2]
            ))  # fmt: skip
            return []
        if inner.is_column:
            spec = self._expr(column, inner)
            specs: tuple[RuleSpec, ...] = (spec,) if spec is not None else ()
        else:
            specs = self._parse(step, {column: [inner.plain()]}, inner, _code(inner.plain()))
        return [dataclasses.replace(spec, action=action, alias=name) for spec in specs]

    def _expr(self, column: str, item: Value) -> RuleSpec | None:
        try:  # written in a helper function or a loop: its local names become their values
            node = frozen_node(item)
        except CompileError as err:
            self.diagnostics.extend(problems(err))
            return None
        source = item.file.code(node)
        self.code.append(CodeRef(item.file, node, item.local))
        return RuleSpec(column, RuleKind.EXPR, source, source=source, span=item.span)

    def _parse(self, step: Step, rules: Any, at: Value, code: str) -> tuple[RuleSpec, ...]:
        try:
            specs = parse_rules(rules, step=step.name, layer=step.layer.value)
        except SparkForgeError as err:
            self.diagnostics.append(from_error(code, err, at.span))
            return ()
        except (TypeError, ValueError) as err:  # e.g. an `in` set mixing strings and numbers
            message = f"{step.layer.value} step {step.name!r}: rule {at.plain()!r} cannot be read: {err}"
            self.diagnostics.append(Diagnostic(code, message, at.span))
            return ()
        return tuple(dataclasses.replace(spec, span=at.span) for spec in specs)


def _is_flat_operator(items: Sequence[Value]) -> bool:
    """`sparkforge.rules._looks_like_flat_operator` over Values: ["gt", 0] is ONE item, while
    ["not_null", "positive"] is two (a test keeps the two in step)."""
    if len(items) < 2 or not isinstance(items[0].data, str):
        return False
    if items[0].data in OPERATORS:
        return True
    literal = any(not (isinstance(v.data, str | list | tuple) or v.is_column) for v in items[1:])
    return literal and items[0].data not in SHORTHANDS


def _code(item: Any) -> str:
    """The diagnostic code for a rule item the parser rejects, by what the item looks like."""
    if isinstance(item, str):
        name = item.strip()
        if name.isidentifier() or name in OPERATORS:
            return "SF403"
        return "SF405"
    if isinstance(item, list | tuple):
        known = bool(item) and isinstance(item[0], str) and item[0] in OPERATORS
        return "SF404" if known or not item or not isinstance(item[0], str) else "SF403"
    return "SF402"
