"""The compiler's one public entry: builder source text in, a formatted job out.

Input: the text of `pipeline.py`, the name to show in diagnostics, and `CompileOptions`. Output: a
`CompileResult` with the job's source (None when there are errors), every diagnostic, and the plan.
The stages run in order: read (libcst frontend) -> plan (graphlib) -> generate (templates) -> format
(black); `read_plan` runs the first two alone (`sparkforge graph` draws the plan). A user mistake is
a diagnostic, never an exception; a compiler bug raises `InternalCompilerError`, which keeps the
unformatted output for the bug report.

    compile_source("builder = PipelineBuilder(...)...", "pipeline.py", CompileOptions())
    -> CompileResult(source='r\"\"\"Pipeline ...', diagnostics=(), plan=Plan(...))
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, replace

import sparkforge_runtime
from black.mode import Mode
from packaging.version import Version

import sparkforge
from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.emit.format_source import JOB_MODE, FormatError, exact_layout, format_job
from sparkforge.compiler.emit.generate_job import generate_units
from sparkforge.compiler.emit.job_context import GenerateOptions
from sparkforge.compiler.read.frontend import read_pipeline
from sparkforge.exceptions import SparkForgeError
from sparkforge.graph import plan_stages
from sparkforge.ir import Pipeline, Plan, Span


@dataclass(frozen=True, slots=True)
class CompileOptions:
    """How the job names things; paths are relative and posix so the output is the same anywhere."""

    source_path: str | None = None  # the pipeline as seen from the job's folder; default: its name
    job_name: str = "job.py"
    base_dir: str | None = None  # where modules imported by the pipeline live; default: its folder
    black_mode: Mode = JOB_MODE  # how black formats the job: `mode_for(output path)` in the CLI


@dataclass(frozen=True, slots=True)
class CompileResult:
    source: str | None
    diagnostics: tuple[Diagnostic, ...]
    plan: Plan | None

    @property
    def ok(self) -> bool:
        return self.source is not None and not any(d.is_error for d in self.diagnostics)


class InternalCompilerError(Exception):
    """A bug in sparkforge, not in the user's file. `unformatted` is the generated text, if any."""

    def __init__(self, message: str, unformatted: str | None = None) -> None:
        super().__init__(message)
        self.unformatted = unformatted


def runtime_requirement(version: str) -> str:
    """Jobs need at least the runtime they were compiled with, within the same minor series."""
    release = Version(version)
    return f">={version},<{release.major}.{release.minor + 1}"


def _plan(pipeline: Pipeline) -> Plan:
    try:
        return plan_stages(pipeline)
    except SparkForgeError as exc:
        step = next((s for s in pipeline.steps if s.name == exc.step), None)
        span = (
            (step.span if step else None) or pipeline.span or Span(pipeline.source_file or "", 0, 0)
        )
        help_text = "; ".join(exc.suggestions) or None
        raise CompileError(Diagnostic("SF500", exc.message, span, help_text)) from None


def _generate_options(filename: str, options: CompileOptions) -> GenerateOptions:
    return GenerateOptions(
        source_path=options.source_path or posixpath.basename(filename),
        job_name=options.job_name,
        filename=filename,
        compiled_with=sparkforge.__version__,
        runtime_requires=runtime_requirement(sparkforge_runtime.__version__),
        layout_width=options.black_mode.line_length if exact_layout(options.black_mode) else None,
    )


def read_plan(
    text: str, filename: str, options: CompileOptions | None = None
) -> tuple[Plan | None, tuple[Diagnostic, ...]]:
    """The first two stages, read and plan: the `Plan` (None on any error) and every diagnostic.

    `compile_source` goes on to generate a job from it; `sparkforge graph` draws it.
    """
    options = options or CompileOptions()
    base_dir = options.base_dir if options.base_dir is not None else posixpath.dirname(filename)
    pipeline, diagnostics = read_pipeline(text, filename, base_dir=base_dir)
    if pipeline is None or any(d.is_error for d in diagnostics):
        return None, diagnostics
    if not pipeline.source_hash:
        pipeline = replace(pipeline, source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest())
    try:
        return _plan(pipeline), diagnostics
    except CompileError as exc:
        return None, (*diagnostics, exc.diagnostic)


def compile_source(
    text: str, filename: str, options: CompileOptions | None = None
) -> CompileResult:
    """Compile one pipeline file's text; see the module docstring."""
    options = options or CompileOptions()
    plan, diagnostics = read_plan(text, filename, options)
    if plan is None:
        return CompileResult(None, diagnostics, None)
    try:
        generated = generate_units(plan, _generate_options(filename, options))
    except CompileError as exc:
        return CompileResult(None, (*diagnostics, exc.diagnostic), plan)
    try:
        return CompileResult(format_job(generated, options.black_mode), diagnostics, plan)
    except FormatError as exc:
        raise InternalCompilerError(str(exc), unformatted=generated.text) from exc
