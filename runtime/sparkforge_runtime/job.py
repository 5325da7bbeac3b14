"""The command line of compiled jobs: parse options, check the runtime and Delta, run, report.

Input: the job's `Pipeline` and `Plan` (from its `main()`) and argv. Output: an exit code: 0 success,
1 a step failed (its log rows are written), 2 bad arguments or an environment the job cannot run in
(wrong runtime version, no Delta Lake), 4 every step completed but the run log could not be written.

    run_job(PIPELINE, Plan(((bronze_orders,), (silver_clean_orders,))), ["--mode", "initial"])  ->  0

`--mode` defaults to `incremental`: on empty or missing tables it loads everything, so the same
command serves the first run and every scheduled run after it. The options of later features
(guards, Spark Connect, lineage, quarantine, refresh) come from their modules' `add_options`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from sparkforge_runtime import connect, groups, guards, lineage, quarantine
from sparkforge_runtime.errors import CannotRun
from sparkforge_runtime.failures import describe, details
from sparkforge_runtime.outcome import RunReport, StepOutcome
from sparkforge_runtime.plan import Mode, Pipeline, Plan
from sparkforge_runtime.preflight import after_spark, before_spark
from sparkforge_runtime.quiet import job_logging
from sparkforge_runtime.report import format_plan, format_progress, format_summary, submit_command
from sparkforge_runtime.scheduler import RunOptions, run_plan
from sparkforge_runtime.session import build_session
from sparkforge_runtime.version import runtime_problem

MODES = ("initial", "incremental", "full-refresh", "validation-only")
EXIT_OK, EXIT_STEP_FAILED, EXIT_USAGE, EXIT_LOG_FAILED = 0, 1, 2, 4
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FEATURES = (guards, connect, lineage, quarantine, groups)  # each adds its options


def _parser(pipeline: Pipeline, plan: Plan) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=pipeline.script,
        description=(
            f"Run pipeline {pipeline.name!r} (compiled by sparkforge {pipeline.compiled_with} "
            f"from {pipeline.source}).\nExit codes: 0 success, 1 a step failed, 2 bad arguments or "
            "environment (or another run of the pipeline is running), 4 every step completed but "
            "the run log could not be written."
        ),
        epilog=f"Submit it to a cluster with:\n\n  {submit_command(pipeline.script)}\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--mode", type=lambda t: t.replace("_", "-"), choices=MODES, default="incremental",
        help="initial and full-refresh replace every table; incremental (default) processes new "
        "bronze rows; validation-only writes nothing")  # fmt: skip
    add("--source", action="append", default=[], metavar="NAME=TABLE_OR_PATH",
        help="bind a bronze input to a table or a path such as parquet:/data/orders "
        "(repeatable; default: the table <schema>.<name>)")  # fmt: skip
    add("--steps", metavar="A,B", help="run only these steps and the steps they need upstream")
    add("--log-table", default=pipeline.log_table, help=f"run-log table (default: {pipeline.log_table})")
    add("--max-workers", type=int, default=plan.max_workers, metavar="N",
        help=f"threads for parallel steps (default: {plan.max_workers})")  # fmt: skip
    add("--no-parallel", action="store_true", help="run the steps of a stage one after another")
    add("--dry-run", action="store_true", help="print the plan without starting Spark")
    add("--log-level", type=str.upper, choices=LOG_LEVELS, default="INFO",
        help="level of the job's own log on stderr (default: INFO)")  # fmt: skip
    add("--spark-log-level", type=str.upper, metavar="LEVEL",
        help="set Spark's log level (default: as the Spark configuration says)")  # fmt: skip
    add("--verbose", action="store_true", help="print the full traceback of a failed step")
    for feature in FEATURES:
        feature.add_options(add)
    return parser


def parse_args(pipeline: Pipeline, plan: Plan, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse and check argv; a bad option exits with code 2 (argparse's convention)."""
    parser = _parser(pipeline, plan)
    args = parser.parse_args(argv)
    if args.max_workers < 1:
        parser.error(f"--max-workers must be at least 1, got {args.max_workers}")
    if args.log_table is not None and not args.log_table.strip():
        parser.error("--log-table needs a table name such as analytics.pipeline_logs")
    args.sources = {}
    try:
        args.remote = connect.remote_url(args.remote)
        if args.source or args.steps is not None:  # their parsers load only when a run uses them
            from sparkforge_runtime.selection import bound_sources, selected_steps

            args.sources, args.steps = bound_sources(plan, args.source), selected_steps(plan, args.steps)
    except ValueError as bad:
        parser.error(str(bad))
    args.mode, args.parallel = Mode.parse(args.mode), plan.parallel and not args.no_parallel
    return args


def run_job(pipeline: Pipeline, plan: Plan, argv: Sequence[str] | None = None) -> int:
    """Parse argv, check the environment, run the plan, print a summary; return the exit code."""
    try:
        args = parse_args(pipeline, plan, argv)
    except SystemExit as stop:  # argparse: --help is 0, a bad option 2
        return stop.code if isinstance(stop.code, int) else 2
    if _refused([runtime_problem(pipeline)]):
        return EXIT_USAGE
    plan = plan.only(args.steps).replace(parallel=args.parallel, max_workers=args.max_workers)
    if args.dry_run:
        print(format_plan(pipeline, plan, args.mode, args.sources))
        return EXIT_OK
    if _refused(before_spark(args.log_table, args.sources)):
        return EXIT_USAGE
    job_logging(f"sparkforge.{pipeline.name}", args.log_level, quiet=not args.verbose)
    spark = build_session(f"sparkforge:{pipeline.name}", log_level=args.spark_log_level, remote=args.remote)
    if _refused([after_spark(spark, pipeline.script, args.sources)]):
        return EXIT_USAGE
    return _run(spark, pipeline, plan, args)


def _refused(problems: Sequence[str | None]) -> bool:
    """Print the problems found, if any (the job then exits 2)."""
    found = [p for p in problems if p]
    if found:
        print("\n".join(found), file=sys.stderr)
    return bool(found)


def _run(spark: Any, pipeline: Pipeline, plan: Plan, args: argparse.Namespace) -> int:
    """Run the plan and print its summary; the exit code."""
    print(f"pipeline {pipeline.name!r}: mode {args.mode.value}, {len(plan.steps)} steps", flush=True)
    started = time.time()
    try:
        options = RunOptions(args.mode, args.log_table, "compiled", _progress, args.allow_empty,
                             min_rows=args.min_rows, listeners=lineage.listeners(args.lineage),
                             run_id=args.run_id, refresh=args.refresh)  # fmt: skip
        report = run_plan(spark, pipeline, plan, options, args.sources)
    except CannotRun as problem:  # another run holds the lease, lineage without its client
        print(str(problem), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # outside any step (the lease, the run log): one line, no stack
        print(f"the run failed before or after its steps: {describe(exc)}", file=sys.stderr)
        if args.verbose:
            print(details(exc), file=sys.stderr)
        return EXIT_STEP_FAILED
    print(format_summary(list(report.outcomes.values()), time.time() - started), flush=True)
    return _exit_code(report, args.verbose)


def _exit_code(report: RunReport, verbose: bool) -> int:
    if report.log_error:
        print(f"run log: {report.log_error}", file=sys.stderr)
    if not report.success:
        for outcome in report.outcomes.values():
            if verbose and outcome.error_trace:
                print(f"{outcome.name}:\n{outcome.error_trace}", file=sys.stderr)
        print(f"failed: {report.error_message}", file=sys.stderr)
        return EXIT_STEP_FAILED
    return EXIT_LOG_FAILED if report.log_error else EXIT_OK


def _progress(outcome: StepOutcome) -> None:
    print(format_progress(outcome), flush=True)
