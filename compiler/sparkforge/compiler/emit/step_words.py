"""Say in words what a step does: the docstring of its function in the job.

Input: a step's `StepPlan` and the `ir.Plan` it belongs to. Output: lines of plain English, at most
76 characters each: what it reads, what it writes in each run mode, its threshold and what its
failure cancels.

    StepPlan(silver clean_orders, writes incremental="append", threshold=95.0)
    ->  ["orders -> shop.clean_orders: in incremental runs it appends the rows newer",
         "than its watermark (order_ts); otherwise it replaces the table.", ...]
"""

from __future__ import annotations

import textwrap

from sparkforge.ir import Layer, Plan
from sparkforge.step_plan import StepPlan

WIDTH = 76


def _names(names: tuple[str, ...] | list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def dependents(plan: Plan) -> dict[str, tuple[str, ...]]:
    """For each step, every step that needs it, directly or through others, in stage order."""
    steps = {s.name: s for s in plan.pipeline.steps}
    needs: dict[str, set[str]] = {}
    order = [name for stage in plan.stages for name in stage]
    for name in order:  # stages are in dependency order: upstream sets are complete when read
        direct = steps[name].upstream
        needs[name] = set(direct).union(*(needs.get(u, set()) for u in direct))
    found: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        for upstream in needs[name]:
            found.setdefault(upstream, []).append(name)
    return {name: tuple(names) for name, names in found.items()}


def _reads(p: StepPlan) -> str:
    info = p.info
    if p.layer is Layer.BRONZE:
        text = f"Reads {info.table}, or the input bound with --source {info.name}=..."
        if p.oldest_of and p.watermark_column:
            tables = _names([table for table, _ in p.oldest_of])
            text += (
                f"; in incremental runs only the rows whose {p.watermark_column} is newer than "
                f"what {tables} last covered"
            )
        return text + "."
    if p.step.existing:
        return f"Validates the existing table {info.table}; it writes nothing."
    sources = _names(list(info.after)) or "nothing"
    return f"{sources} -> {info.table}: {_writes(p)}."


def _writes(p: StepPlan) -> str:
    incremental = p.info.writes.get("incremental")
    keys = f" on {_names(list(p.info.merge_keys))}" if p.info.merge_keys else ""
    if p.since is not None:
        verb = "merges" if incremental == "merge" else "appends"
        return (
            f"in incremental runs it {verb}{keys if verb == 'merges' else ''} the rows newer than "
            f"its watermark ({p.since[1]}); otherwise it replaces the table"
        )
    what = "recomputed from the whole silver tables" if p.layer is Layer.GOLD else "recomputed"
    if p.refresh.by_groups:
        return f"{what} and replaced in initial and full-refresh runs"
    if incremental == "merge":
        return f"{what}, merged{keys} in incremental runs and replaced otherwise"
    return f"{what} and replaced in every run"


def incremental_words(p: StepPlan) -> str:
    """When an incremental run skips the step, and how gold is refreshed, or why neither."""
    r = p.refresh
    if p.layer is Layer.BRONZE or p.step.existing:
        return ""
    if not r.skip_inputs:
        return f"It is never skipped: {r.never_skips}." if r.never_skips else ""
    names = _names(list(r.skip_inputs))
    if p.layer is Layer.SILVER:
        return f"In incremental runs it is skipped when {names} passed on no new rows."
    text = f"In incremental runs it is skipped when neither {names} nor its code changed since its last run; "
    if r.by_groups:
        keys = _names(list(r.group_keys))
        return text + (
            f"otherwise it recomputes only the groups (by {keys}) that the new rows of "
            f"{r.group_silver} touch and merges them into the table, deleting groups that no longer "
            "produce a row."
        )
    return text + f"otherwise it recomputes in full: {r.full_recompute}."


def step_docstring(p: StepPlan, cancelled: tuple[str, ...]) -> list[str]:
    """The docstring lines of a step function; `cancelled`: what its failure cancels."""
    gate = f"Below {p.threshold:g}% valid rows it fails and writes nothing"
    verb = "is" if len(cancelled) == 1 else "are"
    gate += f"; then {_names(cancelled)} {verb} cancelled." if cancelled else "."
    if p.layer is Layer.BRONZE:
        gate = gate.replace(" and writes nothing", "")
    if p.fail_on:
        gate += f" Any row failing {_names(p.fail_on)} fails it too."
    if p.quarantine:
        gate += f" Once it passes, its invalid rows are appended to {p.quarantine}."
    first = textwrap.wrap(_reads(p), WIDTH)
    incremental = textwrap.wrap(incremental_words(p), WIDTH)
    return [*first, *(["", *incremental] if incremental else []), "", *textwrap.wrap(gate, WIDTH)]
