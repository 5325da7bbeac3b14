"""The `sparkforge` command: read files, call `compile_source`, write output, pick the exit code.

Input: `sparkforge compile PIPELINE.py -o JOB.py [--check] [--runtime-zip PATH | --with-runtime-zip]`.
Output: the job file (or stdout), rendered diagnostics on stderr, and an exit code: 0 ok, 1 a mistake
in the pipeline (or `--check` found the job out of date), 2 bad usage, 3 an internal error.

    $ sparkforge compile examples/ecommerce/pipeline.py -o examples/ecommerce/job.py
    compiled examples/ecommerce/pipeline.py -> examples/ecommerce/job.py (9 steps in 4 stages)
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
from sparkforge.compiler.api import CompileOptions, CompileResult, compile_source, read_plan
from sparkforge.compiler.diagnostics import CompileError, render, render_all
from sparkforge.compiler.emit.format_source import mode_for
from sparkforge.compiler.emit.runtime_zip import ZIP_NAME, write_runtime_zip
from sparkforge.compiler.read.decode_source import decode_source
from sparkforge.compiler.render.explain_steps import explain_steps
from sparkforge.compiler.render.render_graph import FORMATS, render_graph
from sparkforge.ir import Plan
from sparkforge.suggest import did_you_mean

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
REPORT_URL = "https://github.com/sparkforge/sparkforge/issues"


@dataclass(frozen=True, slots=True)
class Request:
    pipeline: Path
    output: Path | None
    check: bool
    runtime_zip: Path | None


def _say(message: str) -> None:
    click.echo(message, err=True)


def _options(request: Request) -> CompileOptions:
    """Name the source relative to the job, so the job's bytes do not depend on the cwd."""
    if request.output is None:
        return CompileOptions(source_path=request.pipeline.name, black_mode=mode_for(Path("job.py")))
    source = os.path.relpath(request.pipeline.resolve(), request.output.resolve().parent)
    return CompileOptions(
        source_path=Path(source).as_posix(),
        job_name=request.output.name,
        black_mode=mode_for(request.output),
    )


def _render(result: CompileResult, filename: str, text: str) -> str:
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


def _internal_error(request: Request, exc: BaseException) -> int:
    _say(traceback.format_exc().rstrip())
    _say(f"sparkforge {sparkforge.__version__}: internal error: {exc}")
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
        _say(f"the unformatted output is kept in {kept}")
    _say(f"This is a bug in sparkforge, not in your pipeline; please report it at {REPORT_URL}")
    return EXIT_INTERNAL


def _check(request: Request, compiled: str) -> int:
    """Like `black --check`: 0 when the job on disk is what the pipeline compiles to, else 1."""
    assert request.output is not None
    if not request.output.is_file():
        _say(
            f"{request.output} does not exist; run `sparkforge compile {request.pipeline} -o {request.output}`"
        )
        return EXIT_USER
    on_disk = request.output.read_text("utf-8")
    if on_disk == compiled:
        _say(f"{request.output} is up to date with {request.pipeline}")
        return EXIT_OK
    diff = difflib.unified_diff(
        on_disk.splitlines(keepends=True),
        compiled.splitlines(keepends=True),
        fromfile=f"{request.output} (on disk)",
        tofile=f"{request.output} (compiled from {request.pipeline})",
    )
    click.echo("".join(diff), nl=False)
    _say(
        f"{request.output} is out of date; regenerate it with `sparkforge compile {request.pipeline} -o {request.output}`"
    )
    return EXIT_USER


def _write(request: Request, result: CompileResult) -> int:
    assert result.source is not None and result.plan is not None
    if request.output is None:
        click.echo(result.source, nl=False)
    elif not request.output.is_file() or request.output.read_text("utf-8") != result.source:
        request.output.parent.mkdir(parents=True, exist_ok=True)
        request.output.write_text(result.source, "utf-8")
    if request.runtime_zip is not None:
        _say(f"wrote {write_runtime_zip(request.runtime_zip)}")
    if request.output is not None:
        plan = result.plan
        steps = sum(len(stage) for stage in plan.stages)
        _say(
            f"compiled {request.pipeline} -> {request.output} ({steps} steps in {len(plan.stages)} stages)"
        )
    return EXIT_OK


def read_pipeline_text(pipeline: Path, outcome: str) -> str | None:
    """The pipeline's text decoded as Python decodes it, or None after saying why it cannot be read."""
    try:
        data = pipeline.read_bytes()
    except OSError as exc:
        _say(f"error: cannot read {pipeline}: {exc}")
        return None
    try:
        return decode_source(data, pipeline.as_posix())
    except CompileError as exc:
        _say(render(exc.diagnostic, data.decode("utf-8", errors="replace")))
        _say(f"{pipeline}: 1 error; {outcome}")
        return None


def run_compile(request: Request) -> int:
    """The whole command after argument parsing; returns the exit code."""
    filename = request.pipeline.as_posix()
    text = read_pipeline_text(request.pipeline, "no job written")
    if text is None:
        return EXIT_USER
    try:
        result = compile_source(text, filename, _options(request))
    except Exception as exc:  # a user mistake is a diagnostic, so anything raised is our bug
        return _internal_error(request, exc)
    if result.diagnostics:
        _say(_render(result, filename, text))
    if not result.ok or result.source is None:
        errors = sum(1 for d in result.diagnostics if d.is_error)
        _say(f"{request.pipeline}: {errors} error{'s' if errors != 1 else ''}; no job written")
        return EXIT_USER
    if request.check:
        return _check(request, result.source)
    return _write(request, result)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(sparkforge.__version__, prog_name="sparkforge")
def main() -> None:
    """sparkforge: compile medallion pipelines into standalone spark-submit jobs."""


@main.command("compile")
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The job file to write (default: stdout).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 with a diff when OUTPUT is not what PIPELINE compiles to; write nothing.",
)
@click.option(
    "--runtime-zip",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the runtime zip for --py-files to this path.",
)
@click.option("--with-runtime-zip", is_flag=True, help=f"Also write {ZIP_NAME} beside the job.")
@click.pass_context
def compile_command(
    ctx: click.Context,
    pipeline: Path,
    output: Path | None,
    check: bool,
    runtime_zip: Path | None,
    with_runtime_zip: bool,
) -> None:
    """Compile PIPELINE (builder code, read without running it) into a standalone PySpark job."""
    if output is not None and output.resolve() == pipeline.resolve():
        raise click.UsageError("-o names the pipeline itself; write the job to another file")
    if check and output is None:
        raise click.UsageError("--check needs -o JOB.py: the job file to compare with")
    if runtime_zip is not None and with_runtime_zip:
        raise click.UsageError("use either --runtime-zip PATH or --with-runtime-zip, not both")
    if with_runtime_zip and output is None:
        raise click.UsageError(
            "--with-runtime-zip writes beside the job; give -o JOB.py (or use --runtime-zip PATH)"
        )
    if check and (runtime_zip is not None or with_runtime_zip):
        raise click.UsageError("--check writes nothing; drop the runtime zip options")
    if with_runtime_zip and output is not None:
        runtime_zip = output.parent / ZIP_NAME
    ctx.exit(run_compile(Request(pipeline, output, check, runtime_zip)))


def _planned(pipeline: Path, outcome: str) -> Plan | int:
    """Read and plan `pipeline` as `compile` does; the plan, or the exit code after saying why not."""
    text, filename = read_pipeline_text(pipeline, outcome), pipeline.as_posix()
    if text is None:
        return EXIT_USER
    try:
        plan, diagnostics = read_plan(text, filename)
    except Exception as exc:  # a user mistake is a diagnostic, so anything raised is our bug
        return _internal_error(Request(pipeline, None, False, None), exc)
    if diagnostics:
        _say(_render(CompileResult(None, diagnostics, plan), filename, text))
    if plan is None:
        errors = sum(1 for d in diagnostics if d.is_error)
        _say(f"{pipeline}: {errors} error{'s' if errors != 1 else ''}; {outcome}")
        return EXIT_USER
    return plan


def run_graph(pipeline: Path, fmt: str, output: Path | None) -> int:
    """`sparkforge graph` after argument parsing: read and plan as `compile` does, then draw."""
    plan = _planned(pipeline, "no graph drawn")
    if isinstance(plan, int):
        return plan
    try:
        drawn = render_graph(plan, fmt)
    except Exception as exc:  # a bug of ours
        return _internal_error(Request(pipeline, None, False, None), exc)
    steps = sum(len(stage) for stage in plan.stages)
    return _write_graph(drawn, output, f"{fmt}, {steps} steps in {len(plan.stages)} stages")


def _write_graph(drawn: str, output: Path | None, summary: str) -> int:
    if output is None:
        click.echo(drawn, nl=False)
        return EXIT_OK
    if not output.is_file() or output.read_text("utf-8") != drawn:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(drawn, "utf-8")
    _say(f"wrote {output} ({summary})")
    return EXIT_OK


@main.command("graph")
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=FORMATS[0],
    show_default=True,
    help="mermaid (renders in pull requests and READMEs), dot (Graphviz) or json.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: stdout).",
)
@click.pass_context
def graph_command(ctx: click.Context, pipeline: Path, fmt: str, output: Path | None) -> None:
    """Draw PIPELINE's steps, tables, stages and dependencies, read without running it."""
    if output is not None and output.resolve() == pipeline.resolve():
        raise click.UsageError("-o names the pipeline itself; write the graph to another file")
    ctx.exit(run_graph(pipeline, fmt, output))


def run_explain(pipeline: Path, step: str | None) -> int:
    """`sparkforge explain` after argument parsing: read and plan as `graph` does, then explain."""
    plan = _planned(pipeline, "nothing to explain")
    if isinstance(plan, int):
        return plan
    names = plan.pipeline.names()
    if step is not None and step not in names:
        hint = did_you_mean(step, names) or f"steps: {', '.join(names)}"
        _say(f"error: --step {step!r}: {pipeline} has no such step; {hint}")
        return EXIT_USAGE
    click.echo(explain_steps(plan, pipeline.as_posix(), step), nl=False)
    return EXIT_OK


@main.command("explain")
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--step", metavar="NAME", help="Explain only this step.")
@click.pass_context
def explain_command(ctx: click.Context, pipeline: Path, step: str | None) -> None:
    """Say what each step of PIPELINE does, read without running it: inputs, rules, threshold,
    write per run mode (as the job's --dry-run prints it) and what its failure cancels."""
    ctx.exit(run_explain(pipeline, step))


@main.command("report")
@click.option("--log-table", required=True, help="The run-log table, e.g. shop.pipeline_logs.")
@click.option("--runs", type=click.IntRange(min=1), default=1, show_default=True, help="The last N runs.")
@click.option("--warehouse", type=click.Path(file_okay=False, path_type=Path),
              help="Warehouse folder of a local session (its metastore is beside it).")
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path), help="Also write the report as Markdown.")
@click.option("--chart-rule", metavar="RULE", help="Chart this rule's failure rate over the runs (PNG).")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="The PNG to write.")
@click.pass_context
def report_command(ctx: click.Context, log_table: str, runs: int, warehouse: Path | None,
                   markdown: Path | None, chart_rule: str | None, chart: Path | None) -> None:
    """Print each step's valid rate against its threshold and the top failing rules of the last runs."""
    from sparkforge.quality_report import report_command as run  # starts Spark: only when asked

    code, text = run(log_table, runs, warehouse, markdown, chart_rule, chart)
    click.echo(text, err=code != 0)
    ctx.exit(code)


if __name__ == "__main__":  # pragma: no cover - `python -m sparkforge.compiler.cli`
    main()
