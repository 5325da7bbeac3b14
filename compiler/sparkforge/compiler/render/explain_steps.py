"""Explain a pipeline step by step, in words a person reads: `sparkforge explain pipeline.py`.

Input: an `ir.Plan` (read statically, as `compile` and `graph` read it) and optionally one step's
name. Output: text. Every fact comes from where the job takes it: the decisions from
`step_plan.plan_step`, the summary from `step_words` (the step's docstring in the job), the rules
from `emit_rules` (the PySpark text the job writes), the write per run mode from
`sparkforge_runtime.report.action` (what the job's `--dry-run` prints). Nothing is derived twice.

    explain_steps(plan, "pipeline.py", only="clean_orders")
    ->  "silver clean_orders (pipeline.py:79), stage 2\n  orders -> shop.clean_orders: ..."
"""

from __future__ import annotations

import posixpath
import textwrap

from sparkforge_runtime.plan import Mode
from sparkforge_runtime.report import action

from sparkforge.compiler.emit.black_layout import Code
from sparkforge.compiler.emit.emit_rules import rule_expression
from sparkforge.compiler.emit.step_words import dependents, step_docstring
from sparkforge.ir import Layer, Plan, RuleSpec
from sparkforge.step_plan import Read, StepPlan, plan_steps

INDENT = "  "
LABEL_WIDTH = 13  # "on failure:" and the other labels, padded to one column
WIDTH = 100  # words wrap here; code (the rules) is never wrapped
MODES = tuple(Mode)
CODE = "\0"  # marks a line of code, which keeps its width


def _label(name: str, lines: list[str], *, wrap: bool = True) -> list[str]:
    """`name:` before the first line, the others aligned under it; words wrap, code does not."""
    head = f"{INDENT}{name + ':':<{LABEL_WIDTH}}"
    pad = " " * len(head)
    out: list[str] = []
    for line in lines:
        first = head if not out else pad
        if not wrap or line.startswith(CODE):
            out.append(first + line.removeprefix(CODE))
            continue
        width = max(20, WIDTH - len(pad))
        out += textwrap.wrap(line, width, initial_indent=first, subsequent_indent=pad + INDENT)
    return out


def _read(read: Read) -> str:
    if read.how == "since":
        return (
            f"{read.name}: in incremental runs the rows of {read.table} newer than this step's "
            f"watermark ({read.column}); otherwise this run's valid rows of {read.name}"
        )
    if read.how == "whole":
        return f"{read.name}: the whole table {read.table} after this run's writes"
    if read.how == "table":
        return f"{read.name}: the existing table {read.table}, as it is"
    return f"{read.name}: this run's valid rows of {read.name}"


def _inputs(p: StepPlan) -> list[str]:
    if p.layer is Layer.BRONZE:
        text = f"{p.info.table}, or the input bound with --source {p.info.name}=TABLE_OR_PATH"
        return [text]
    if p.step.existing:
        return [f"the existing table {p.info.table}"]
    lines = []
    if p.transform_input:
        bronze = p.transform_input
        text = f"{bronze} (bronze_df): this run's valid rows of {bronze}"
        if p.since is not None and p.bronze_column:
            text += (
                f"; in incremental runs only those whose {p.bronze_column} is newer than "
                f"this step's watermark ({p.since[1]})"
            )
        lines.append(text)
    argument = "silvers" if p.layer is Layer.GOLD else "prior_silvers"
    lines += [f"{argument}[{r.name!r}] = {_read(r)}" for r in p.inputs]
    return lines or ["nothing"]


ACTIONS = {"warn": "warn: counted and logged, the row stays valid",
           "fail": "fail: one failing row fails the step, whatever the threshold"}  # fmt: skip


def _rule(rule: RuleSpec) -> list[str]:
    text = rule_expression(rule, Code()).rstrip()
    first, *rest = text.splitlines()
    lines = [f"{CODE}{rule.column}: {first}", *(f"{CODE}{INDENT}{line.strip()}" for line in rest)]
    notes = [f"named {rule.alias!r}"] if rule.alias is not None else []
    if rule.action in ACTIONS:
        notes.append(ACTIONS[rule.action])
    if notes:
        lines.append(f"{CODE}{INDENT}({'; '.join(notes)})")
    return lines


def _rules(p: StepPlan) -> list[str]:
    if not p.step.rules:
        return ["none: every row is valid"]
    lines = [line for rule in p.step.rules for line in _rule(rule)]
    kept = f"keeps only the columns {', '.join(p.keep)}" if p.keep else "keeps every column"
    every = "every rule but the warn rules" if any(r.action == "warn" for r in p.step.rules) else "every rule"
    return [*lines, f"(a row is valid when {every} holds; NULL counts as invalid; {kept})"]


def _threshold(p: StepPlan) -> list[str]:
    breach = "the step fails" if p.layer is Layer.BRONZE else "the step fails and writes nothing"
    return [f"at least {p.threshold:g}% valid rows; below that {breach}"]


def _writes(p: StepPlan) -> list[str]:
    width = max(len(m.value) for m in MODES)
    return [f"{CODE}{m.value.replace('_', '-'):<{width}}  {action(p.info, m)}" for m in MODES]


def _where(p: StepPlan, filename: str) -> str:
    span = p.step.span
    return f"{posixpath.basename(span.file or filename)}:{span.line}" if span else filename


def explain_step(p: StepPlan, cancelled: tuple[str, ...], filename: str, stage: int) -> str:
    """One step: a heading, its summary in words, then one labelled block per fact."""
    summary = [line for line in step_docstring(p, cancelled) if line]
    lines = [
        f"{p.layer.value} {p.step.name} ({_where(p, filename)}), stage {stage}",
        *(INDENT + line for line in summary),
        *_label("inputs", _inputs(p)),
        *_label("rules", _rules(p)),
        *_label("threshold", _threshold(p)),
        *_label("writes", _writes(p)),
        *_label("on failure", [f"cancels {', '.join(cancelled)}" if cancelled else "cancels nothing"]),
    ]
    return "\n".join(lines)


def explain_steps(plan: Plan, filename: str, only: str | None = None) -> str:
    """Every step in stage order (or the one named `only`), after a line about the pipeline."""
    pipeline = plan.pipeline
    settings = pipeline.settings
    decided, cancels = plan_steps(pipeline), dependents(plan)
    steps = sum(len(stage) for stage in plan.stages)
    head = (
        f"pipeline {settings.pipeline_name!r} ({posixpath.basename(filename)}): "
        f"{steps} steps in {len(plan.stages)} stages"
    )
    blocks = [
        explain_step(decided[name], cancels.get(name, ()), filename, index)
        for index, stage in enumerate(plan.stages, start=1)
        for name in stage
        if only is None or name == only
    ]
    return "\n\n".join([head, *blocks]) + "\n"
