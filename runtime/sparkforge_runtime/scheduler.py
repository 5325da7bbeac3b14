"""Run a plan: steps in dependency order, independent ones side by side, one run log per run.

Input: a SparkSession, a `Plan`, `RunOptions`. Output: a `RunReport` with one `StepOutcome` per step.
A failed step cancels the steps that need it; the others still run. Each step runs in a worker
thread with its own scheduler pool and job group (a session tag over Spark Connect), set in that
thread so they never leak.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from sparkforge_runtime.connect import clear_job_group, in_job_group, set_job_group
from sparkforge_runtime.failures import describe
from sparkforge_runtime.groups import Refresh
from sparkforge_runtime.guards import Guards
from sparkforge_runtime.outcome import RunReport, Status, StepOutcome
from sparkforge_runtime.plan import Mode, Pipeline, Plan, Step
from sparkforge_runtime.quarantine import new_run_id
from sparkforge_runtime.rulelog import append_rule_log, rule_log_rows, rules_table
from sparkforge_runtime.runlog import LOG_JOB_GROUP, append_log, log_rows
from sparkforge_runtime.runs import guarded_run
from sparkforge_runtime.verbs import RunState, StepRun
from sparkforge_runtime.warmup import warm_catalog
from sparkforge_runtime.where import failure_line


@dataclass(frozen=True, slots=True)
class RunOptions:
    mode: Mode = Mode.INITIAL
    log_table: str | None = None
    engine: str = "interpreted"
    progress: Callable[[StepOutcome], None] | None = None
    allow_empty: bool = False
    exclusive: bool = True  # hold the pipeline's lease (runs.exclusive_run) while the run writes
    min_rows: int = 20  # incremental runs: a step with fewer rows warns on a threshold breach
    listeners: tuple[Any, ...] = ()  # told as the run and steps start and end (lineage); never fail it
    run_id: str | None = None  # a retry of a run passes its id: its quarantine writes are not repeated
    refresh: bool = False  # incremental runs: never skip a step nor refresh gold by groups


def run_plan(
    spark: SparkSession,
    pipeline: Pipeline,
    plan: Plan,
    options: RunOptions,
    sources: Mapping[str, Any] | None = None,
    upstream: Mapping[str, DataFrame] | None = None,
) -> RunReport:
    """Run every step of `plan`; write one log row per step once, in a `finally`, even when the run
    fails. `upstream` holds outputs of steps outside this plan (running one step on its own)."""
    log = logging.getLogger(f"sparkforge.{pipeline.name}")
    report = RunReport(options.run_id or new_run_id(), options.mode, datetime.now(UTC))
    state = RunState(spark, options.mode, log, pipeline.table_format, dict(sources or {}), dict(upstream or {}),
                     pipeline=pipeline.name, run_id=report.run_id, guards=Guards(options.allow_empty, options.min_rows),
                     refresh=Refresh(forced=options.refresh))  # fmt: skip
    stage_of = plan.stage_of()
    report.outcomes = {s.name: StepOutcome(s.name, s.info.layer, stage_of[s.name]) for s in plan.steps}
    log.info("run %s: mode %s, %d steps", report.run_id, options.mode.value, len(plan.steps))
    writing: list[Future[None]] = []
    try:
        with guarded_run(spark, pipeline.name, report, options.log_table, options.exclusive) as lease:
            state.txn_version, state.guards = (lease.generation if lease else None), replace(state.guards, lease=lease)
            _tell(options, log, "run_started", spark, pipeline, plan, report, state.sources)
            try:
                with warm_catalog(spark, plan, options.mode, options.log_table):
                    _Scheduler(state, plan, report, options).run()
            finally:
                writing = _end_run(spark, state, report, plan, pipeline, options)
    finally:
        _wait_log(writing, report, log, options.log_table)
        _tell(options, log, "run_finished", report)
    return report


def _end_run(spark: SparkSession, state: RunState, report: RunReport, plan: Plan, pipeline: Pipeline,
             options: RunOptions) -> list[Future[None]]:  # fmt: skip
    """Release the caches and start the run log's appends (also when the run failed): they are
    written while the lease is released."""
    report.ended_at = datetime.now(UTC)
    for outcome in report.outcomes.values():
        outcome.output = state.outputs.get(outcome.name)
    _release(state, list(state.cached))
    if not options.log_table or options.mode is Mode.VALIDATION_ONLY:
        return []
    table, rules = options.log_table, rules_table(options.log_table)
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sparkforge-log")  # two commits, side by side
    writes = (lambda: append_log(spark, table, log_rows(report, plan, pipeline, options.engine)),
              lambda: append_rule_log(spark, rules, rule_log_rows(report, pipeline, options.engine)))  # fmt: skip
    writing = [pool.submit(in_job_group, spark, LOG_JOB_GROUP, "append the run log", write) for write in writes]
    pool.shutdown(wait=False)
    return writing


def _wait_log(writing: list[Future[None]], report: RunReport, log: logging.Logger, table: str | None) -> None:
    """Wait for the run log's appends; a failure is reported on the run, never raised over it."""
    for future in writing:
        error = future.exception()
        if error is not None and report.log_error is None:
            report.log_error = f"writing the run log {table} failed: {describe(error)}"
            log.error("%s", report.log_error)


def _tell(options: RunOptions, log: logging.Logger, event: str, *args: Any) -> None:
    for listener in options.listeners:
        try:
            getattr(listener, event)(*args)
        except Exception as exc:
            log.warning("%s.%s failed: %s", type(listener).__name__, event, exc)


def _release(state: RunState, names: list[str]) -> None:
    with state.lock:
        frames = [state.cached.pop(n) for n in names if n in state.cached]
    for frame in frames:
        frame.unpersist(blocking=False)


class _Scheduler:
    """Submits each step once its upstream steps are done (and, unless unified, its stage began)."""

    def __init__(self, state: RunState, plan: Plan, report: RunReport, options: RunOptions) -> None:
        self.state, self.plan, self.report, self.options = state, plan, report, options
        self.stage_of = plan.stage_of()
        self.done: set[str] = set()
        self.running = 0
        self.readers: dict[str, list[str]] = {}  # step -> the steps that read it
        for s in plan.steps:
            for name in s.info.after:
                self.readers.setdefault(name, []).append(s.name)

    def run(self) -> None:
        workers = max(1, self.plan.max_workers) if self.plan.parallel else 1
        pending = list(self.plan.steps)
        futures: dict[Future[None], Step] = {}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparkforge") as pool:
            while pending or futures:
                for s in [s for s in pending if self._ready(s)]:
                    pending.remove(s)
                    blocker = next((u for u in s.info.after if self._failed(u)), None)
                    if blocker is None:
                        futures[pool.submit(self._task, s)] = s
                    else:
                        self._cancel(s, blocker)
                if not futures:
                    if pending and not any(self._ready(s) for s in pending):
                        raise RuntimeError(f"steps can never start: {[s.name for s in pending]}")
                    continue
                finished, _ = wait(list(futures), return_when=FIRST_COMPLETED)
                for future in finished:
                    self._finish(futures.pop(future))

    def _ready(self, s: Step) -> bool:
        if any(u in self.stage_of and u not in self.done for u in s.info.after):
            return False
        stage = self.stage_of[s.name]
        return self.plan.unified or all(n in self.done for n, i in self.stage_of.items() if i < stage)

    def _failed(self, name: str) -> bool:
        outcome = self.report.outcomes.get(name)
        return name in self.done and outcome is not None and not outcome.ok

    def _task(self, s: Step) -> None:
        spark, outcome, log = self.state.spark, self.report.outcomes[s.name], self.state.log
        set_job_group(spark, f"sparkforge:{s.name}", f"{s.info.layer} step {s.name}", pool=s.name)
        with self.state.lock:
            self.running += 1
            self.report.max_concurrency = max(self.report.max_concurrency, self.running)
        outcome.start_time = time.time()
        log.info("%s %s: started", s.info.layer, s.name)
        _tell(self.options, log, "step_started", s, outcome)
        try:
            output = s.function(StepRun(self.state, s.info, outcome))
            with self.state.lock:
                self.state.outputs[s.name] = output
        except Exception as exc:
            outcome.status, outcome.error_type = Status.FAILED, type(exc).__name__
            outcome.error_message = failure_line(s, exc, self.state.dropped)
            outcome.error_trace = "".join(traceback.format_exception(exc))
            log.error("%s %s: failed: %s", s.info.layer, s.name, outcome.error_message)
        finally:
            outcome.end_time = time.time()
            with self.state.lock:
                self.running -= 1
            clear_job_group(spark)

    def _cancel(self, s: Step, failed: str) -> None:
        outcome = self.report.outcomes[s.name]
        outcome.status, outcome.error_type = Status.CANCELLED, "Cancelled"
        outcome.error_message = f"[{s.info.layer}:{s.name}] cancelled because {failed!r} did not complete"
        outcome.start_time = outcome.end_time = time.time()
        self.state.log.warning("%s", outcome.error_message)
        self._finish(s)

    def _finish(self, s: Step) -> None:
        """Mark a step done and drop the cached rows nobody of this run will read again."""
        self.done.add(s.name)
        idle = [n for n in (s.name, *s.info.after)
                if all(r in self.done for r in self.readers.get(n, ()))]  # fmt: skip
        _release(self.state, idle)
        _tell(self.options, self.state.log, "step_finished", s, self.report.outcomes[s.name])
        if self.options.progress is not None:
            self.options.progress(self.report.outcomes[s.name])
