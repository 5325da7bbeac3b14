"""What the `sparkforge` command reads, says and writes, apart from compiling: the pipeline's text,
rendered diagnostics, the job or graph file, `--check`'s diff and the internal-error report.

Input: a `Request` (the paths of one `compile`) and what a compile or plan gave. Output: text on
stdout and stderr, files written only when their content changed, and the exit code to return:

    write_job(Request(Path("p.py"), Path("job.py"), False, None), result)
    -> job.py written, stderr "compiled p.py -> job.py (9 steps in 4 stages)", returns EXIT_OK
"""

from __future__ import annotations

import difflib
import os
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

import click

import sparkforge
from sparkforge.compiler.api import CompileResult
from sparkforge.compiler.diagnostics import CompileError, render, render_all
from sparkforge.compiler.emit.runtime_zip import write_runtime_zip
from sparkforge.compiler.read.decode_source import decode_source

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
REPORT_URL = "https://github.com/sparkforge/sparkforge/issues"


@dataclass(frozen=True, slots=True)
class Request:
    pipeline: Path
    output: Path | None
    check: bool
    runtime_zip: Path | None


def say(message: str) -> None:
    click.echo(message, err=True)


def read_pipeline_text(pipeline: Path, outcome: str) -> str | None:
    """The pipeline's text decoded as Python decodes it, or None after saying why it cannot be read."""
    try:
        data = pipeline.read_bytes()
    except OSError as exc:
        say(f"error: cannot read {pipeline}: {exc}")
        return None
    try:
        return decode_source(data, pipeline.as_posix())
    except CompileError as exc:
        say(render(exc.diagnostic, data.decode("utf-8", errors="replace")))
        say(f"{pipeline}: 1 error; {outcome}")
        return None


def render_result(result: CompileResult, filename: str, text: str) -> str:
    """The diagnostics of `result`, each under its source line (of the pipeline or a sibling)."""
    sources = {filename: text}
    for diagnostic in result.diagnostics:
        other = Path(diagnostic.span.file)
        if diagnostic.span.file not in sources and other.is_file():
            sources[diagnostic.span.file] = _readable(other.read_bytes(), diagnostic.span.file)
    return render_all(result.diagnostics, sources)


def _readable(data: bytes, name: str) -> str:
    """A module's text to show under a diagnostic, even when it cannot be decoded."""
    try:
        return decode_source(data, name)
    except CompileError:
        return data.decode("utf-8", errors="replace")


def internal_error(request: Request, exc: BaseException) -> int:
    """Say that `exc` is our bug, keep the unformatted output for the report; EXIT_INTERNAL."""
    say(traceback.format_exc().rstrip())
    say(f"sparkforge {sparkforge.__version__}: internal error: {exc}")
    unformatted = getattr(exc, "unformatted", None)
    if unformatted:
        if request.output is not None:
            kept = request.output.with_name(request.output.name + ".unformatted")
            kept.write_text(unformatted, "utf-8")
        else:
            handle, name = tempfile.mkstemp(prefix="sparkforge-", suffix=".py.unformatted")
            os.close(handle)
            kept = Path(name)
            kept.write_text(unformatted, "utf-8")
        say(f"the unformatted output is kept in {kept}")
    say(f"This is a bug in sparkforge, not in your pipeline; please report it at {REPORT_URL}")
    return EXIT_INTERNAL


def check_job(request: Request, compiled: str) -> int:
    """Like `black --check`: 0 when the job on disk is what the pipeline compiles to, else 1."""
    assert request.output is not None
    if not request.output.is_file():
        say(
            f"{request.output} does not exist; run `sparkforge compile {request.pipeline} -o {request.output}`"
        )
        return EXIT_USER
    on_disk = request.output.read_text("utf-8")
    if on_disk == compiled:
        say(f"{request.output} is up to date with {request.pipeline}")
        return EXIT_OK
    diff = difflib.unified_diff(
        on_disk.splitlines(keepends=True),
        compiled.splitlines(keepends=True),
        fromfile=f"{request.output} (on disk)",
        tofile=f"{request.output} (compiled from {request.pipeline})",
    )
    click.echo("".join(diff), nl=False)
    say(
        f"{request.output} is out of date; regenerate it with `sparkforge compile {request.pipeline} -o {request.output}`"
    )
    return EXIT_USER


def write_job(request: Request, result: CompileResult) -> int:
    """The compiled job to its file (only if changed) or stdout, and the runtime zip if asked."""
    assert result.source is not None and result.plan is not None
    if request.output is None:
        click.echo(result.source, nl=False)
    elif not request.output.is_file() or request.output.read_text("utf-8") != result.source:
        request.output.parent.mkdir(parents=True, exist_ok=True)
        request.output.write_text(result.source, "utf-8")
    if request.runtime_zip is not None:
        say(f"wrote {write_runtime_zip(request.runtime_zip)}")
    if request.output is not None:
        plan = result.plan
        steps = sum(len(stage) for stage in plan.stages)
        say(
            f"compiled {request.pipeline} -> {request.output} ({steps} steps in {len(plan.stages)} stages)"
        )
    return EXIT_OK


def write_graph(drawn: str, output: Path | None, summary: str) -> int:
    """The drawn graph to its file (only if changed) or stdout."""
    if output is None:
        click.echo(drawn, nl=False)
        return EXIT_OK
    if not output.is_file() or output.read_text("utf-8") != drawn:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(drawn, "utf-8")
    say(f"wrote {output} ({summary})")
    return EXIT_OK
