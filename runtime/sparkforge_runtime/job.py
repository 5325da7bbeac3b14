"""The command line of compiled jobs: parse options, check the runtime and Delta, run, report.

Input: the job's `Pipeline` and `Plan` (from its `main()`) and argv. Output: an exit code: 0 success,
1 a step failed (its log rows are written), 2 bad arguments or an environment the job cannot run in
(wrong runtime version, no Delta Lake).

    run_job(PIPELINE, Plan(((bronze_orders,), (silver_clean_orders,))), ["--mode", "initial"])  ->  0

`--mode` defaults to `incremental`: on empty or missing tables it loads everything, so the same
command serves the first run and every scheduled run after it.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import SparkSession

import sparkforge_runtime
from sparkforge_runtime import lineage
from sparkforge_runtime.connect import is_connect, remote_url
from sparkforge_runtime.failures import describe, details
from sparkforge_runtime.lease import LeaseHeld
from sparkforge_runtime.outcome import StepOutcome
from sparkforge_runtime.plan import Mode, Pipeline, Plan
from sparkforge_runtime.preflight import (
    cluster_source_problems,
    local_source_problems,
    metastore_problem,
    table_name_problem,
)
from sparkforge_runtime.report import format_plan, format_progress, format_summary, submit_command
from sparkforge_runtime.scheduler import RunOptions, run_plan
from sparkforge_runtime.session import build_session, delta_available
from sparkforge_runtime.suggest import did_you_mean

MODES = ("initial", "incremental", "full-refresh", "validation-only")
EXIT_OK, EXIT_STEP_FAILED, EXIT_USAGE, EXIT_LOG_FAILED = 0, 1, 2, 4
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class JobArgs:
    mode: Mode
    sources: dict[str, str] = field(default_factory=dict)
    steps: frozenset[str] | None = None  # None: every step
    log_table: str | None = None
    max_workers: int = 4
    parallel: bool = True
    dry_run: bool = False
    log_level: str = "INFO"
    spark_log_level: str | None = None
    verbose: bool = False
    allow_empty: bool = False
    remote: str | None = None  # a Spark Connect URL: --remote, else $SPARK_REMOTE
    min_rows: int = 20
    lineage: bool | None = None  # None: on when the environment configures OpenLineage
    run_id: str | None = None
    refresh: bool = False


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
    _add_safety_options(add)
    add("--refresh", action="store_true",
        help="incremental runs: run every step in full, never skip one or refresh gold by groups")  # fmt: skip
    return parser


def _add_safety_options(add: Any) -> None:
    """The options of a run's guards and extras: tiny increments, empty inputs, Connect, lineage."""
    add("--min-rows", type=int, default=20, metavar="N",
        help="in incremental runs a step of fewer rows warns on a threshold breach instead of "
        "failing (default: 20; 0 always fails)")  # fmt: skip
    add("--allow-empty", action="store_true",
        help="let a step replace a table that has rows with no rows (an empty input)")  # fmt: skip
    add("--remote", metavar="sc://HOST:PORT",
        help="run on this Spark Connect server (default: $SPARK_REMOTE, else classic Spark)")  # fmt: skip
    add("--lineage", action=argparse.BooleanOptionalAction, default=None,
        help="emit OpenLineage events per step (default: on when OPENLINEAGE_URL or "
        "OPENLINEAGE_CONFIG is set; needs openlineage-python)")  # fmt: skip
    add("--run-id", metavar="ID", help="retry the run with this id: its quarantine rows are not "
        "appended again (default: a new id)")  # fmt: skip


def _sources(parser: argparse.ArgumentParser, plan: Plan, items: Sequence[str]) -> dict[str, str]:
    bronze = [s.name for s in plan.steps if s.info.layer == "bronze"]
    bound: dict[str, str] = {}
    for item in items:
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not name or not value:
            example = f"{bronze[0] if bronze else 'orders'}=raw.orders"
            parser.error(f"--source {item!r}: write NAME=TABLE_OR_PATH, e.g. --source {example}")
        if name not in bronze:
            parser.error(f"--source {item!r}: {name!r} is not a bronze step{_did_you_mean(name, bronze)}")
        if name in bound:
            parser.error(f"--source {name}=... is given twice")
        bound[name] = value
    return bound


def _selected(parser: argparse.ArgumentParser, plan: Plan, text: str | None) -> frozenset[str] | None:
    """The named steps plus everything they need upstream."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    after = {s.name: s.info.after for s in plan.steps}
    if not names:
        parser.error("--steps needs at least one step name")
    for name in names:
        if name not in after:
            parser.error(f"--steps: unknown step {name!r}{_did_you_mean(name, list(after))}")
    chosen: set[str] = set()
    while names:
        name = names.pop()
        if name not in chosen and name in after:
            chosen.add(name)
            names.extend(after[name])
    return frozenset(chosen)


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    hint = did_you_mean(name, known)
    return f"; {hint}" if hint else (f"; steps: {', '.join(known)}" if known else "")


def parse_args(pipeline: Pipeline, plan: Plan, argv: Sequence[str] | None) -> JobArgs:
    """Parse and check argv; a bad option exits with code 2 (argparse's convention)."""
    parser = _parser(pipeline, plan)
    ns = parser.parse_args(argv)
    if ns.max_workers < 1:
        parser.error(f"--max-workers must be at least 1, got {ns.max_workers}")
    if ns.log_table is not None and not ns.log_table.strip():
        parser.error("--log-table needs a table name such as analytics.pipeline_logs")
    try:
        remote = remote_url(ns.remote)
    except ValueError as bad:
        parser.error(str(bad))
    return JobArgs(
        Mode.parse(ns.mode), _sources(parser, plan, ns.source), _selected(parser, plan, ns.steps),
        ns.log_table, ns.max_workers, plan.parallel and not ns.no_parallel, ns.dry_run,
        ns.log_level, ns.spark_log_level, ns.verbose, ns.allow_empty, remote, ns.min_rows, ns.lineage, ns.run_id, ns.refresh,
    )  # fmt: skip


def _version(text: str) -> tuple[int, ...]:
    """`0.1.0` -> (0, 1, 0, 1); a pre-release such as `0.1.0rc1` sorts before its release."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)(.*)", text)
    if match is None:
        return ()
    numbers = [int(p) for p in match.group(1).split(".")]
    numbers += [0] * (3 - len(numbers))
    return (*numbers, 0 if match.group(2).strip() else 1)


def satisfies(version: str, requirement: str) -> bool:
    """`0.1.3` against `>=0.1.0,<0.2`: each clause compares version tuples."""
    compare = {">=": tuple.__ge__, "<=": tuple.__le__, "==": tuple.__eq__, "!=": tuple.__ne__,
               ">": tuple.__gt__, "<": tuple.__lt__}  # fmt: skip
    for clause in filter(None, (c.strip() for c in requirement.split(","))):
        op = next((o for o in compare if clause.startswith(o)), "==")
        bound = _version(clause.removeprefix(op))
        if op in ("<", ">=") and bound[-1] == 1:
            bound = (*bound[:-1], 0)  # `<0.2` excludes 0.2.0rc1 too, `>=0.1` admits 0.1.0rc1
        if not compare[op](_version(version), bound):
            return False
    return True


def runtime_problem(pipeline: Pipeline, found: str | None = None) -> str | None:
    """Why the installed runtime cannot run this job, or None when it can."""
    found = found or sparkforge_runtime.__version__
    if satisfies(found, pipeline.runtime_requires):
        return None
    return (
        f"{pipeline.script} was compiled by sparkforge {pipeline.compiled_with} and needs "
        f"sparkforge_runtime {pipeline.runtime_requires}, but found {found} "
        f"({sparkforge_runtime.__file__}).\nInstall the matching version on the driver (pip install "
        f"'sparkforge{pipeline.runtime_requires}'), or recompile and ship its runtime zip:\n"
        f"  sparkforge compile {pipeline.source} -o {pipeline.script} --with-runtime-zip\n"
        f"  {submit_command(pipeline.script)}"
    )


# PySpark logs every analysis error again as JSON with its JVM stack on stderr; the failed step's
# one line already says it, and --verbose prints the traceback.
QUERY_CONTEXT_LOGGERS = ("DataFrameQueryContextLogger", "SQLQueryContextLogger")


def _logging(pipeline: Pipeline, level: str, verbose: bool = False) -> None:
    if not verbose:
        from pyspark.logger import PySparkLogger  # the loggers must be PySpark's own class

        for name in QUERY_CONTEXT_LOGGERS:
            PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 1)
    logger = logging.getLogger(f"sparkforge.{pipeline.name}")
    logger.setLevel(level)
    if not logging.getLogger().handlers and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def run_job(pipeline: Pipeline, plan: Plan, argv: Sequence[str] | None = None) -> int:
    """Parse argv, check the environment, run the plan, print a summary; return the exit code."""
    try:
        args = parse_args(pipeline, plan, argv)
    except SystemExit as stop:  # argparse: --help is 0, a bad option 2
        return stop.code if isinstance(stop.code, int) else 2
    problem = runtime_problem(pipeline)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    plan = plan.only(args.steps).replace(parallel=args.parallel, max_workers=args.max_workers)
    if args.dry_run:
        print(format_plan(pipeline, plan, args.mode, args.sources))
        return 0
    problems = _before_spark(args)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return EXIT_USAGE
    _logging(pipeline, args.log_level, args.verbose)
    spark = build_session(
        f"sparkforge:{pipeline.name}", log_level=args.spark_log_level, remote=args.remote
    )
    problem = _after_spark(spark, pipeline, args)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    return _run(spark, pipeline, plan, args)


def _after_spark(spark: Any, pipeline: Pipeline, args: JobArgs) -> str | None:
    """What can only be checked in a session: Delta Lake (first: without it the catalog fails
    too), the metastore, cluster paths."""
    if not delta_available(spark):
        return _no_delta(spark, pipeline.script)
    if is_connect(spark):
        return None
    return metastore_problem(spark) or next(iter(cluster_source_problems(spark, args.sources)), None)


def _run(spark: Any, pipeline: Pipeline, plan: Plan, args: JobArgs) -> int:
    """Run the plan and print its summary; the exit code."""
    print(f"pipeline {pipeline.name!r}: mode {args.mode.value}, {len(plan.steps)} steps", flush=True)
    started = time.time()
    try:
        listeners = lineage.listeners(args.lineage)
    except lineage.LineageUnavailable as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    options = RunOptions(args.mode, args.log_table, "compiled", _progress, args.allow_empty,
                         min_rows=args.min_rows, listeners=listeners, run_id=args.run_id,
                         refresh=args.refresh)  # fmt: skip
    try:
        report = run_plan(spark, pipeline, plan, options, args.sources)
    except LeaseHeld as held:
        print(str(held), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # outside any step (the lease, the run log): one line, no stack
        print(f"the run failed before or after its steps: {describe(exc)}", file=sys.stderr)
        if args.verbose:
            print(details(exc), file=sys.stderr)
        return EXIT_STEP_FAILED
    print(format_summary(list(report.outcomes.values()), time.time() - started), flush=True)
    return _exit_code(report, args.verbose)


def _exit_code(report: Any, verbose: bool) -> int:
    if report.log_error:
        print(f"run log: {report.log_error}", file=sys.stderr)
    if not report.success:
        for outcome in report.outcomes.values():
            if verbose and outcome.error_trace:
                print(f"{outcome.name}:\n{outcome.error_trace}", file=sys.stderr)
        print(f"failed: {report.error_message}", file=sys.stderr)
        return EXIT_STEP_FAILED
    return EXIT_LOG_FAILED if report.log_error else EXIT_OK


def _before_spark(args: JobArgs) -> list[str]:
    """What can be checked before Spark starts: the run log's name and local --source paths."""
    named = table_name_problem(args.log_table, what="--log-table") if args.log_table else None
    return [*([named] if named else []), *local_source_problems(args.sources)]


def _no_delta(spark: SparkSession, script: str) -> str:
    if is_connect(spark):
        return (
            "The Spark Connect server has no Delta Lake, so the job cannot write its tables.\n"
            "Start the server with the Delta jars and settings: docs/jobs.md, \"Running on Spark Connect\"."
        )
    return (
        "Delta Lake is not on the classpath of this Spark session, so the job cannot write its "
        f"tables.\nStart it with the Delta package and settings:\n\n  {submit_command(script)}"
    )


def _progress(outcome: StepOutcome) -> None:
    print(format_progress(outcome), flush=True)
