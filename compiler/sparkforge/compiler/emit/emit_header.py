"""Emit the top of a job: its docstring, its imports, and the user's support code with its origins.

Input: a `JobContext`. Output: source text for the `$docstring`, `$future`, `$imports` and `$support`
slots of `templates/job.py.tmpl`.

    CodeBlock("MIN_AMOUNT", "MIN_AMOUNT = 10", Span("pipeline.py", 9, 0))
    ->  "# pipeline.py:9\\nMIN_AMOUNT = 10"
"""

from __future__ import annotations

from collections import Counter

from sparkforge_runtime.report import submit_command

from sparkforge.compiler.emit.job_context import JOB_IMPORTS, JobContext
from sparkforge.compiler.emit.literals import comment, docstring
from sparkforge.compiler.emit.support_names import is_import
from sparkforge.ir import Layer


def _step_counts(ctx: JobContext) -> str:
    counts = Counter(s.layer for s in ctx.pipeline.steps)
    parts = [f"{counts[layer]} {layer.value}" for layer in Layer if counts[layer]]
    stages = len(ctx.plan.stages)
    return f"Steps: {', '.join(parts) or 'none'} in {stages} stage{'s' if stages != 1 else ''}."


def emit_docstring(ctx: JobContext) -> str:
    """The module docstring: what the job is, where it came from, and how to run it."""
    opts = ctx.options
    command = submit_command(opts.job_name).replace("\n", "\n    ")
    text = "\n".join(
        [
            f"Pipeline {ctx.pipeline.settings.pipeline_name!r}: a sparkforge job for Spark and Delta Lake.",
            "",
            f"Compiled by sparkforge {opts.compiled_with} from {opts.source_path} "
            f"(sha256 {ctx.pipeline.source_hash}).",
            f"Do not edit; regenerate with `sparkforge compile {opts.source_path} -o {opts.job_name}`.",
            "",
            _step_counts(ctx),
            "",
            "Run it with:",
            "",
            f"    {command}",
            "",
            "Modes: initial | incremental (default) | full-refresh | validation-only.",
            f"Bind a bronze input with --source NAME=TABLE_OR_PATH; `python {opts.job_name} --help` "
            "lists every option.",
            "",
        ]
    )
    return docstring(text)


def emit_future(ctx: JobContext) -> str:
    return f"from __future__ import {', '.join(ctx.future)}"


def _from_import(module: str, names: list[tuple[str, str]]) -> str:
    parts = [attr if attr == name else f"{attr} as {name}" for attr, name in sorted(names)]
    return f"from {module} import {', '.join(parts)}"


def emit_imports(ctx: JobContext) -> str:
    """The job's own imports, grouped as isort would: stdlib, pyspark, then the runtime."""
    plain: list[str] = []
    modules: dict[str, list[tuple[str, str]]] = {}
    for name in ctx.imports:
        module, _, attr = JOB_IMPORTS[name].rpartition(".")
        if module:
            modules.setdefault(module, []).append((attr, name))
        else:
            plain.append(f"import {attr}")
    lines = [_from_import(m, names) for m, names in sorted(modules.items())]
    runtime = [line for line in lines if line.startswith("from sparkforge_runtime")]
    pyspark = [line for line in lines if line not in runtime]
    return "\n\n".join("\n".join(group) for group in (plain, pyspark, runtime) if group)


def emit_support(ctx: JobContext) -> str:
    """The user's imports, constants and helpers, verbatim, each under a comment naming its line."""
    out: list[str] = []
    previous_import = False
    for block in ctx.support:
        copied_import = is_import(block)
        gap = "\n" if copied_import and previous_import else "\n\n"
        out.append(
            ("" if not out else gap) + f"{comment(ctx.where(block.span))}\n{block.source.strip()}"
        )
        previous_import = copied_import
    return "".join(out)
