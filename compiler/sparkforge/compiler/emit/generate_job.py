"""Generate a job's source text from a plan: the template filled by the emitters.

Input: an `ir.Plan` and `GenerateOptions`. Output: the job in units (`GeneratedJob`), not yet
formatted (black runs next, in `format_source`). Raises `CompileError` for a user mistake found while
naming or emitting.

    Plan(pipeline=Pipeline(Settings("shop"), steps=(...)), stages=(("orders",), ...))
    ->  GeneratedJob(units=(JobUnit('r\"\"\"Pipeline 'shop': ...'), JobUnit('# pipeline.py:12...'), ...))
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from string import Template

from sparkforge.compiler.emit.emit_header import (
    emit_docstring,
    emit_future,
    emit_imports,
    emit_support,
)
from sparkforge.compiler.emit.emit_main import emit_main, emit_pipeline
from sparkforge.compiler.emit.emit_steps import emit_steps
from sparkforge.compiler.emit.job_context import GenerateOptions, build_context
from sparkforge.compiler.emit.job_units import SEPARATOR, GeneratedJob, JobUnit
from sparkforge.ir import Plan

TEMPLATE = "job.py.tmpl"


@lru_cache(maxsize=4)
def load_template(name: str = TEMPLATE) -> Template:
    return Template(resources.files("sparkforge.templates").joinpath(name).read_text("utf-8"))


def _fill(part: str, slots: Mapping[str, tuple[JobUnit, ...]]) -> tuple[JobUnit, ...]:
    """A part of the template that is one slot becomes that slot's units; any other part, one unit."""
    name = part.strip().removeprefix("$")
    if name in slots and part.strip() == f"${name}":
        return slots[name]
    texts = {key: SEPARATOR.join(unit.text for unit in units) for key, units in slots.items()}
    # substitute() never rescans the values, so a `$` in user code stays as written.
    return (JobUnit(Template(part).substitute(texts)),)


def generate_units(plan: Plan, options: GenerateOptions) -> GeneratedJob:
    """Fill the job template; every slot comes from one emitter. Parts two blank lines apart in the
    template are separate units."""
    ctx = build_context(plan, options)
    slots = {
        "docstring": (JobUnit(emit_docstring(ctx)),),
        "future": (JobUnit(emit_future(ctx)),),
        "imports": (JobUnit(emit_imports(ctx)),),
        "support": (JobUnit(emit_support(ctx)),),
        "steps": emit_steps(ctx),
        "pipeline": (emit_pipeline(ctx),),
        "main": (emit_main(ctx),),
    }
    parts = load_template().template.split(SEPARATOR)
    return GeneratedJob(tuple(unit for part in parts for unit in _fill(part, slots)))


def generate_job(plan: Plan, options: GenerateOptions) -> str:
    """The whole job as one unformatted text."""
    return generate_units(plan, options).text
