"""The command line of compiled jobs: parse options, check the runtime, start Spark, run, report.

Input: a `JobDefinition` (plain values the compiler wrote), the stages of step functions from the
job's `main()`, and argv. Output: an exit code: 0 success, 1 a step failed (its log rows are written),
2 bad arguments or an environment the job cannot run in (wrong runtime version, no Delta Lake).

    run_job(JOB, ((bronze_orders,), (silver_clean_orders,)), ["--mode", "initial"])  ->  0

`--mode` defaults to `incremental`: on empty or missing tables it loads everything, so the same
command serves the first run and every scheduled run after it.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sparkforge_runtime.engine import RunOptions, run_pipeline
from sparkforge_runtime.job_checks import delta_loaded, no_delta_message, runtime_problem
from sparkforge_runtime.job_report import (
    PlannedStep,
    format_plan,
    format_progress,
    format_summary,
    submit_command,
)
from sparkforge_runtime.session import build_session
from sparkforge_runtime.specs import Mode, StepOutcome, StepSpec

__all__ = ["JobArgs", "JobDefinition", "PlannedStep", "parse_args", "run_job", "runtime_problem"]

StepFunction = Callable[[], StepSpec]
MODES = ("initial", "incremental", "full-refresh", "validation-only")


@dataclass(frozen=True, slots=True)
class JobDefinition:
    """Everything a job knows besides its step functions, as plain values."""

    pipeline_name: str
    source_file: str
    source_hash: str
    compiled_with: str
    runtime_requires: str
    steps: tuple[PlannedStep, ...]
    script: str = "job.py"
    parallel: bool = True
    max_workers: int = 4
    unified: bool = False
    log_table: str | None = None


@dataclass(frozen=True, slots=True)
class JobArgs:
    mode: Mode
    sources: Mapping[str, str] = field(default_factory=dict)
    steps: frozenset[str] | None = None  # None: every step
    log_table: str | None = None
    max_workers: int = 4
    parallel: bool = True
    dry_run: bool = False


def _parser(job: JobDefinition) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=job.script,
        description=(
            f"Run pipeline {job.pipeline_name!r} (compiled by sparkforge {job.compiled_with} "
            f"from {job.source_file}).\nExit codes: 0 success, 1 a step failed, 2 bad arguments."
        ),
        epilog=f"Submit it to a cluster with:\n\n  {submit_command(job.script)}\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add(
        "--mode",
        type=lambda text: text.replace("_", "-"),  # full_refresh works too
        choices=MODES,
        default="incremental",
        help="initial and full-refresh overwrite every table; incremental (default) processes new "
        "bronze rows and appends them; validation-only writes nothing",
    )
    add(
        "--source",
        action="append",
        default=[],
        metavar="NAME=TABLE_OR_PATH",
        help="bind a bronze input to a table or a path such as parquet:/data/orders "
        "(repeatable; default: the table <schema>.<name>)",
    )
    add("--steps", metavar="A,B", help="run only these steps and the steps they need upstream")
    add("--log-table", default=job.log_table, help=f"run-log table (default: {job.log_table})")
    add(
        "--max-workers",
        type=int,
        default=job.max_workers,
        metavar="N",
        help=f"threads for parallel steps (default: {job.max_workers})",
    )
    add("--no-parallel", action="store_true", help="run the steps of a stage one after another")
    add("--dry-run", action="store_true", help="print the plan without starting Spark")
    return parser


def _sources(
    parser: argparse.ArgumentParser, job: JobDefinition, items: Sequence[str]
) -> dict[str, str]:
    bronze = [s.name for s in job.steps if s.layer == "bronze"]
    bound: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            example = f"{bronze[0] if bronze else 'orders'}=raw.orders"
            parser.error(f"--source {item!r}: write NAME=TABLE_OR_PATH, e.g. --source {example}")
        if name not in bronze:
            parser.error(
                f"--source {item!r}: {name!r} is not a bronze step{_did_you_mean(name, bronze)}"
            )
        if name in bound:
            parser.error(f"--source {name}=... is given twice")
        bound[name] = value
    return bound


def _selected(
    parser: argparse.ArgumentParser, job: JobDefinition, text: str | None
) -> frozenset[str] | None:
    """The named steps plus everything they need upstream."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    by_name = {s.name: s for s in job.steps}
    if not names:
        parser.error("--steps needs at least one step name")
    for name in names:
        if name not in by_name:
            parser.error(f"--steps: unknown step {name!r}{_did_you_mean(name, list(by_name))}")
    chosen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in chosen and name in by_name:
            chosen.add(name)
            todo.extend(by_name[name].upstream)
    return frozenset(chosen)


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    choices = f"; steps: {', '.join(known)}" if known else ""
    return f"; did you mean {close[0]!r}?" if close else choices


def parse_args(job: JobDefinition, argv: Sequence[str] | None) -> JobArgs:
    """Parse and check argv; a bad option exits with code 2 (argparse's convention)."""
    parser = _parser(job)
    ns = parser.parse_args(argv)
    if ns.max_workers < 1:
        parser.error(f"--max-workers must be at least 1, got {ns.max_workers}")
    if ns.log_table is not None and not ns.log_table.strip():
        parser.error("--log-table needs a table name such as analytics.pipeline_logs")
    return JobArgs(
        mode=Mode.parse(ns.mode),
        sources=_sources(parser, job, ns.source),
        steps=_selected(parser, job, ns.steps),
        log_table=ns.log_table,
        max_workers=ns.max_workers,
        parallel=job.parallel and not ns.no_parallel,
        dry_run=ns.dry_run,
    )


def _instantiate(
    stages: Sequence[Sequence[StepFunction]], selected: frozenset[str] | None
) -> list[list[StepSpec]]:
    """Build the StepSpecs (their rules need the SparkContext), keeping the selected steps."""
    built = [[make() for make in stage] for stage in stages]
    kept = [[s for s in stage if selected is None or s.name in selected] for stage in built]
    return [stage for stage in kept if stage]


def _progress(outcome: StepOutcome) -> None:
    print(format_progress(outcome), flush=True)


def run_job(
    job: JobDefinition, stages: Sequence[Sequence[StepFunction]], argv: Sequence[str] | None = None
) -> int:
    """Parse argv, check the environment, run the pipeline, print a summary; return the exit code."""
    try:
        args = parse_args(job, argv)
    except SystemExit as stop:  # argparse: --help is 0, a bad option 2
        return stop.code if isinstance(stop.code, int) else 2
    problem = runtime_problem(job)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    planned = [s for s in job.steps if args.steps is None or s.name in args.steps]
    if args.dry_run:
        print(format_plan(job.pipeline_name, planned, args.mode, args.sources))
        return 0
    spark = build_session(f"sparkforge:{job.pipeline_name}")
    if not delta_loaded(spark):
        print(no_delta_message(job), file=sys.stderr)
        return 2
    specs = _instantiate(stages, args.steps)
    print(
        f"pipeline {job.pipeline_name!r}: mode {args.mode.value}, {len(planned)} steps", flush=True
    )
    started = time.time()
    options = RunOptions(
        mode=args.mode,
        parallel=args.parallel,
        max_workers=args.max_workers,
        unified=job.unified,
        pipeline_name=job.pipeline_name,
        log_table=args.log_table,
        engine="compiled",
        source_hash=job.source_hash,
        progress=_progress,
    )
    report = run_pipeline(spark, specs, args.sources, options)
    print(format_summary(list(report.outcomes.values()), time.time() - started), flush=True)
    if not report.success:
        print(f"failed: {report.error_message}", file=sys.stderr)
        return 1
    return 0
