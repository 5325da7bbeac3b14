"""The `sparkforge` command: read files, call `compile_source`, write output, pick the exit code.
(Reading, rendering and writing live in `cli_io`; here are the commands and what each one runs.)

Input: `sparkforge compile PIPELINE.py -o JOB.py [--check] [--runtime-zip PATH | --with-runtime-zip]`.
Output: the job file (or stdout), rendered diagnostics on stderr, and an exit code: 0 ok, 1 a mistake
in the pipeline (or `--check` found the job out of date), 2 bad usage, 3 an internal error.

    $ sparkforge compile examples/ecommerce/pipeline.py -o examples/ecommerce/job.py
    compiled examples/ecommerce/pipeline.py -> examples/ecommerce/job.py (9 steps in 4 stages)
"""

from __future__ import annotations

import os
from pathlib import Path

import click

import sparkforge
from sparkforge.compiler.api import CompileOptions, CompileResult, compile_source, read_plan
from sparkforge.compiler.cli_io import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_USER,
    REPORT_URL,
    Request,
    check_job,
    internal_error,
    read_pipeline_text,
    render_result,
    say,
    write_graph,
    write_job,
)
from sparkforge.compiler.emit.format_source import mode_for
from sparkforge.compiler.emit.runtime_zip import ZIP_NAME
from sparkforge.compiler.render.explain_steps import explain_steps
from sparkforge.compiler.render.render_graph import FORMATS, render_graph
from sparkforge.ir import Plan
from sparkforge.suggest import did_you_mean

__all__ = [
    "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "EXIT_USER", "REPORT_URL", "Request", "main",
    "read_pipeline_text", "run_compile", "run_explain", "run_graph",
]

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


def run_compile(request: Request) -> int:
    """The whole command after argument parsing; returns the exit code."""
    filename = request.pipeline.as_posix()
    text = read_pipeline_text(request.pipeline, "no job written")
    if text is None:
        return EXIT_USER
    try:
        result = compile_source(text, filename, _options(request))
    except Exception as exc:  # a user mistake is a diagnostic, so anything raised is our bug
        return internal_error(request, exc)
    if result.diagnostics:
        say(render_result(result, filename, text))
    if not result.ok or result.source is None:
        errors = sum(1 for d in result.diagnostics if d.is_error)
        say(f"{request.pipeline}: {errors} error{'s' if errors != 1 else ''}; no job written")
        return EXIT_USER
    if request.check:
        return check_job(request, result.source)
    return write_job(request, result)


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
        return internal_error(Request(pipeline, None, False, None), exc)
    if diagnostics:
        say(render_result(CompileResult(None, diagnostics, plan), filename, text))
    if plan is None:
        errors = sum(1 for d in diagnostics if d.is_error)
        say(f"{pipeline}: {errors} error{'s' if errors != 1 else ''}; {outcome}")
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
        return internal_error(Request(pipeline, None, False, None), exc)
    steps = sum(len(stage) for stage in plan.stages)
    return write_graph(drawn, output, f"{fmt}, {steps} steps in {len(plan.stages)} stages")


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
        say(f"error: --step {step!r}: {pipeline} has no such step; {hint}")
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
