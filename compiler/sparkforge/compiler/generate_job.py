"""Generate a job's source text from a plan: the template filled by the emitters.

Input: an `ir.Plan` and `GenerateOptions`. Output: the job's source, not yet formatted (black runs
next, in `format_source`). Raises `CompileError` for a user mistake found while naming or emitting.

    Plan(pipeline=Pipeline(Settings("shop"), steps=(...)), stages=(("orders",), ...))
    ->  '\"\"\"Pipeline 'shop': ...\"\"\"\\n\\nfrom __future__ import annotations\\n...'
"""

from __future__ import annotations

from importlib import resources
from string import Template

from sparkforge.compiler.emit_header import emit_docstring, emit_future, emit_imports, emit_support
from sparkforge.compiler.emit_main import emit_job_definition, emit_main
from sparkforge.compiler.emit_steps import emit_steps
from sparkforge.compiler.job_context import GenerateOptions, build_context
from sparkforge.ir import Plan

TEMPLATE = "job.py.tmpl"


def load_template(name: str = TEMPLATE) -> Template:
    return Template(resources.files("sparkforge.templates").joinpath(name).read_text("utf-8"))


def generate_job(plan: Plan, options: GenerateOptions) -> str:
    """Fill the job template; every slot comes from one emitter."""
    ctx = build_context(plan, options)
    # substitute() never rescans the values, so a `$` in user code stays as written.
    return load_template().substitute(
        docstring=emit_docstring(ctx),
        future=emit_future(ctx),
        imports=emit_imports(ctx),
        support=emit_support(ctx),
        steps=emit_steps(ctx),
        job=emit_job_definition(ctx),
        main=emit_main(ctx),
    )
