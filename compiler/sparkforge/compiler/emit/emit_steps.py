"""Emit the user's transforms, each step's rules, and one function per step that shows its work.

Input: a `JobContext`; each step's decisions come from `step_plan.plan_step`, the function the
interpreted runner executes (`interpreted_steps.step_function` is the same body as a closure).
Output: job units: the transforms as written, a rules function per distinct rule set, and a step
function whose `@step(...)` line says what it reads and writes in each run mode and whose body reads,
transforms, validates, gates and publishes, in that order.

    Step("clean_orders", SILVER, source_bronze="orders", ...)
    ->  @step("silver", "clean_orders", table="shop.clean_orders", after=("orders",), ...)
        def silver_clean_orders(run: StepRun) -> DataFrame:
            since = run.watermark("shop.clean_orders", "order_ts") if run.incremental else None
            orders = run.newer_than(run.output("orders"), "order_ts", since)
            df = clean_orders(run.spark, orders, run.declared({}, argument="depends_on"))
            ...
"""

from __future__ import annotations

import functools

from sparkforge.compiler.emit.black_layout import Code, write
from sparkforge.compiler.emit.emit_rules import emit_rules
from sparkforge.compiler.emit.job_context import JobContext, TransformCode
from sparkforge.compiler.emit.job_units import JobUnit
from sparkforge.compiler.emit.literals import comment
from sparkforge.compiler.emit.step_words import step_docstring
from sparkforge.ir import Layer
from sparkforge.refresh_plan import skip_reason
from sparkforge.step_plan import Read, StepPlan


def emit_transform(code: TransformCode, ctx: JobContext) -> str:
    """A transform copied verbatim under a comment naming its line; a lambda gets a name."""
    origin = comment(ctx.where(code.span))
    if code.is_def:
        return f"{origin}\n{code.source}"
    # The parentheses keep a lambda that spanned lines of a call valid on its own, and carry the
    # noqa: user code is copied verbatim, so a lambda stays a lambda instead of becoming a def.
    return f"{origin}\n{code.name} = (  # noqa: E731\n{code.source}\n)"


def _write_rules(plan: StepPlan, name: str, ctx: JobContext, code: Code) -> None:
    code.add(0, f"def {name}() -> tuple[Rule, ...]:")
    where = ctx.where(plan.step.span)
    code.docstring(1, f"Rules of {plan.layer.value} step {plan.step.name!r} ({where}).")
    if not plan.step.rules:
        code.add(1, "return ()")
        return
    emit_rules(plan.step.rules, code, depth=1, head="return (", close=")")


def _decorator(plan: StepPlan, code: Code) -> None:
    info = plan.info
    args = [code.literal(info.layer), code.literal(info.name), f"table={code.literal(info.table)}"]
    if info.after:
        args.append(f"after={code.literal(info.after)}")
    args += [f"{mode}={code.literal(write)}" for mode, write in info.writes.items()]
    if info.merge_keys:
        args.append(f"merge_keys={code.literal(info.merge_keys)}")
    if info.refresh_by:
        args.append(f"refresh_by={code.literal(info.refresh_by)}")
    if info.watermark:
        args.append(f"watermark={code.literal(info.watermark)}")
    code.statement(0, "@step(", args, ")")


def _input(read: Read, code: Code, groups: str = "") -> str:
    name, table = code.literal(read.name), code.literal(read.table)
    if read.how == "since":
        return f"run.rows_since({name}, {table}, {code.literal(read.column)}, since)"
    if read.how == "whole" and groups == read.name:
        return f"run.in_groups(run.whole({name}, {table}), groups)"
    if read.how == "whole":
        return f"run.whole({name}, {table})"
    if read.how == "table":
        return f"run.spark.table({table})"
    return f"run.output({name})"


def _inputs(plan: StepPlan, local: str, argument: str, code: Code) -> None:
    groups = plan.refresh.group_silver
    items = [f"{code.literal(r.name)}: {_input(r, code, groups)}" for r in plan.inputs]
    code.statement(1, f"{local} = run.declared(", [_dict(items, code), f"argument={code.literal(argument)}"], ")")


def _dict(items: list[str], code: Code) -> str:
    if len(items) > 1:
        code.exact = False  # a dict of several inputs: black decides how to split it
    return "{" + ", ".join(items) + "}"


def _bronze_body(plan: StepPlan, code: Code) -> str:
    code.add(1, f"df = run.read({code.literal(plan.info.table)})")
    if plan.oldest_of and plan.watermark_column:
        code.add(1, "if run.incremental:")
        pairs = [code.literal(pair) for pair in plan.oldest_of]
        code.statement(2, "since = run.oldest_watermark(", pairs, ")")
        code.add(2, f"df = run.newer_than(df, {code.literal(plan.watermark_column)}, since)")
    return "df"


def _silver_body(plan: StepPlan, transform: str, local: str, code: Code) -> str:
    if plan.step.existing:
        code.add(1, f"df = run.spark.table({code.literal(plan.info.table)})")
        return "df"
    if plan.since is not None:
        args = [code.literal(v) for v in plan.since]
        code.statement(1, "since = run.watermark(", args, ") if run.incremental else None")
    if plan.refresh.skip_inputs:
        names = [code.literal(n) for n in plan.refresh.skip_inputs]
        code.statement(1, "if since is not None and run.no_new_rows(", names, "):")
        code.add(2, f"return run.skip({code.literal(skip_reason(plan.refresh, plan.layer))})")
    bronze = plan.transform_input
    rows = "None"
    if bronze is not None:
        rows = local
        source = f"run.output({code.literal(bronze)})"
        if plan.bronze_column:
            code.statement(1, f"{local} = run.newer_than(", [source, code.literal(plan.bronze_column), "since"], ")")
        else:
            code.add(1, f"{local} = {source}")
    _inputs(plan, "priors", "depends_on", code)
    _call(plan, transform, ["run.spark", rows, "priors"], code)
    return "df"


def _gold_body(plan: StepPlan, transform: str, code: Code) -> str:
    refresh = plan.refresh
    if refresh.skip_inputs:
        tables = [code.literal(r.table) for r in plan.inputs if r.name in refresh.skip_inputs]
        code.statement(1, "if run.inputs_unchanged(", [*tables, f"code={code.literal(refresh.code)}"], "):")
        code.add(2, f"return run.skip({code.literal(skip_reason(plan.refresh, plan.layer))})")
    if refresh.by_groups:
        table = next(r.table for r in plan.inputs if r.name == refresh.group_silver)
        args = [code.literal(v) for v in (refresh.group_silver, table)]
        code.statement(1, "groups = run.changed_groups(", args, ")")
    _inputs(plan, "silvers", "source_silvers", code)
    _call(plan, transform, ["run.spark", "silvers"], code)
    return "df"


def _call(plan: StepPlan, transform: str, args: list[str], code: Code) -> None:
    """The transform's call, with what a `functools.partial` of it binds written out."""
    bound = plan.step.transform
    if bound is not None:
        args = [*(code.literal(a) for a in bound.args), *args, *(f"{k}={code.literal(v)}" for k, v in bound.kwargs)]
    code.statement(1, f"df = {transform}(", args, ")")


def _write_step(plan: StepPlan, ctx: JobContext, code: Code) -> None:
    step = plan.step
    for line in (step.description or "").splitlines():
        if line.strip():
            code.comment(0, comment(line))
    code.comment(0, comment(ctx.where(step.span)))
    _decorator(plan, code)
    code.add(0, f"def {ctx.functions[step.name]}(run: StepRun) -> DataFrame:")
    code.doc(1, step_docstring(plan, ctx.cancels.get(step.name, ())))
    transform = ctx.transforms[step.name].name if step.name in ctx.transforms else ""
    if plan.layer is Layer.BRONZE:
        df = _bronze_body(plan, code)
    elif plan.layer is Layer.SILVER:
        df = _silver_body(plan, transform, ctx.locals.get(step.name, "rows"), code)
    else:
        df = _gold_body(plan, transform, code)
    args = [df, f"{ctx.rules[step.name]}()"]
    if plan.keep is not None:
        args.append(f"keep={code.literal(plan.keep)}")
    if plan.watermark_column:
        args.append(f"watermark={code.literal(plan.watermark_column)}")
    code.statement(1, "checked = run.validate(", args, ")")
    gate = ["checked", f"min_rate={code.literal(plan.threshold)}"]
    if plan.fail_on:
        gate.append(f"fail_on={code.literal(plan.fail_on)}")
    code.statement(1, "run.gate(", gate, ")")
    if plan.quarantine:
        code.add(1, f"run.quarantine(checked, {code.literal(plan.quarantine)})")
    if plan.refresh.by_groups:
        code.add(1, "run.publish_groups(checked, groups)")
    elif plan.info.writes:
        covered = f"covered=run.covered({code.literal(plan.transform_input)}, since)"
        args = ["checked", *([covered] if plan.since else []), *(["evolve=True"] if plan.evolve else [])]
        code.statement(1, "run.publish(", args, ")")
    code.add(1, "return checked.valid")


def emit_steps(ctx: JobContext) -> tuple[JobUnit, ...]:
    """Transforms first (in order of first use), then per step its rules and its function."""
    width = ctx.options.layout_width
    units = [JobUnit(emit_transform(code, ctx)) for code in ctx.transform_code]
    written: set[str] = set()
    for step in ctx.pipeline.steps:
        plan = ctx.step_plans[step.name]
        name = ctx.rules[step.name]
        if name not in written:
            written.add(name)
            units.append(write(functools.partial(_write_rules, plan, name, ctx), width))
        units.append(write(functools.partial(_write_step, plan, ctx), width))
    return tuple(units)
