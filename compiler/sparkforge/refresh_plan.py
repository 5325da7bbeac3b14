"""Decide per step how an incremental run may save work: skip it, refresh gold by groups, or neither.

Input: an `ir.Step`, its `ir.Pipeline` and the step's other decisions (`StepPlan`). Output: a
`Refresh`: the inputs whose being unchanged lets the step skip (none: it never skips, and why),
and for gold the group keys it is refreshed by (none: it recomputes in full, and why). The job
writes these as calls in the step's body; the interpreted runner calls the same verbs.

    gold daily_revenue: silvers["clean_orders"].groupBy("order_date").agg(...)
    ->  Refresh(skip_inputs=("clean_orders",), group_silver="clean_orders", group_keys=("order_date",))
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sparkforge.group_local import Groups, group_local
from sparkforge.ir import Layer, Pipeline, Step
from sparkforge.transform_facts import Source, skippable
from sparkforge.transform_names import function_source, names_from_code, names_from_function


@dataclass(frozen=True, slots=True)
class StepShape:
    """What `step_plan` decided about a step that bears on refresh (it calls `plan_refresh`)."""

    appends: bool  # silver: appends in incremental runs
    incremental_write: str | None
    keep: tuple[str, ...] | None
    whole: tuple[str, ...]  # gold: the silvers it reads whole
    appending: Callable[[Step], bool]  # whether another silver step appends in incremental runs


@dataclass(frozen=True, slots=True)
class Refresh:
    skip_inputs: tuple[str, ...] = ()  # it skips when these did not change; () never skips
    never_skips: str = ""  # why it never skips (silver and gold steps only)
    group_silver: str = ""  # gold refreshed by the groups of this silver's new rows
    group_keys: tuple[str, ...] = ()
    full_recompute: str = ""  # gold: why it recomputes in full in incremental runs
    code: str = ""  # gold: fingerprint of its transform and rules; a change means recompute in full

    @property
    def by_groups(self) -> bool:
        return bool(self.group_keys)


def skip_reason(refresh: Refresh, layer: Layer) -> str:
    """What a skipped step's log row says."""
    names = list(refresh.skip_inputs)
    said = names[0] if len(names) < 2 else f"{', '.join(names[:-1])} and {names[-1]}"
    if layer is Layer.GOLD:
        return f"{said} did not change since its last run"
    return f"no new rows in {said}"


def _source_of(step: Step) -> tuple[Source, object] | str:
    """The transform's source and the meanings of its names; or why they cannot be had."""
    transform = step.transform
    if transform is None:
        return "it has no transform"
    if transform.source is not None:
        span = transform.span
        return Source(transform.source, span.file if span else "", span.line if span else 1), None
    func = transform.func.func if isinstance(transform.func, functools.partial) else transform.func
    if func is None:
        return "its transform has no source"
    found = function_source(func)
    if found is None:
        return f"the source of {transform.name} cannot be read"
    text, file, line = found
    return Source(text, file, line), names_from_function(func)


def plan_refresh(step: Step, pipeline: Pipeline, plan: StepShape) -> Refresh:
    if step.layer is Layer.BRONZE or step.existing:
        return Refresh()
    if step.layer is Layer.SILVER and not plan.appends:
        return Refresh(never_skips="it replaces its table from the whole of its inputs in every run")
    found = _source_of(step)
    if isinstance(found, str):
        return Refresh(never_skips=found, full_recompute=found if step.layer is Layer.GOLD else "")
    source, names = found
    bound = len(step.transform.args) if step.transform else 0
    verdict = skippable(source, names if names is not None else names_from_code(pipeline.support), bound)  # type: ignore[arg-type]
    if not verdict.ok:
        why = f"its transform {verdict.reason}"
        return Refresh(never_skips=why, full_recompute=why if step.layer is Layer.GOLD else "")
    replacing = _replacing_input(step, pipeline, plan)
    if replacing:
        why = f"{replacing} replaces its table (or merges into it) in every run"
        return Refresh(never_skips=why, full_recompute=why if step.layer is Layer.GOLD else "")
    if step.layer is Layer.SILVER:
        return Refresh(skip_inputs=tuple(step.upstream))
    code = _fingerprint(verdict.code, step)
    proof = group_local(source, bound)
    why = _not_by_groups(step, pipeline, plan, proof)
    if why:
        return Refresh(skip_inputs=tuple(step.source_silvers), full_recompute=why, code=code)
    return Refresh(tuple(step.source_silvers), group_silver=proof.silver, group_keys=proof.keys, code=code)


def _fingerprint(transform: str, step: Step) -> str:
    """The transform's code and the step's rules: what its rows depend on besides its inputs."""
    rules = repr([(r.column, r.kind.value, r.name, r.args, r.source) for r in step.rules])
    bound = step.transform
    if bound is not None and (bound.args or bound.kwargs):  # a partial's arguments are code too
        transform += f"\n{bound.args!r} {bound.kwargs!r}"
    return hashlib.sha256(f"{transform}\n{rules}".encode()).hexdigest()[:12]


def _replacing_input(step: Step, pipeline: Pipeline, plan: StepShape) -> str:
    """The first silver input that replaces its table in every run: the step never sees it unchanged."""
    for name in step.upstream:
        upstream = pipeline.step(name)
        if upstream.layer is Layer.SILVER and not upstream.existing and not plan.appending(upstream):
            return name
    return ""


def _not_by_groups(step: Step, pipeline: Pipeline, plan: StepShape, proof: Groups) -> str:
    """Why gold may not refresh by groups; empty when it may."""
    if not proof.ok:
        return proof.reason
    if tuple(step.source_silvers) != (proof.silver,):
        return f"it declares source_silvers {list(step.source_silvers)}, not only {proof.silver!r}"
    if plan.incremental_write != "overwrite":
        return "it merges on its declared keys in incremental runs"
    if plan.keep is not None and not set(proof.keys) <= set(plan.keep):
        missing = ", ".join(sorted(set(proof.keys) - set(plan.keep)))
        return f"its rules keep only {', '.join(plan.keep)}, not the group key {missing}"
    if proof.silver not in plan.whole or not plan.appending(pipeline.step(proof.silver)):
        return f"{proof.silver} does not append in incremental runs, so any of its rows may change"
    return ""
