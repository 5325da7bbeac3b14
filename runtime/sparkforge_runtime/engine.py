"""Run a whole pipeline: steps in dependency order, independent ones in parallel, one log per run.

Input: a SparkSession, the stages of `StepSpec`s, bronze sources, `RunOptions`. Output: a `RunReport`
with one `StepOutcome` per step. A failed step cancels its dependents; independent steps still run.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from sparkforge_runtime import execute as ex
from sparkforge_runtime.runlog import append_log, ensure_log_table, log_rows
from sparkforge_runtime.specs import Mode, Status, StepOutcome, StepSpec
from sparkforge_runtime.tables import ensure_schema, split_fqn

LOG_JOB_GROUP = "sparkforge:run-log"
WATERMARK_JOB_GROUP = "sparkforge:watermark:"


@dataclass(frozen=True, slots=True)
class RunOptions:
    mode: Mode = Mode.INITIAL
    parallel: bool = True
    max_workers: int = 4
    unified: bool = False
    pipeline_name: str = "pipeline"
    log_table: str | None = None
    engine: str = "interpreted"
    source_hash: str = ""
    progress: Callable[[StepOutcome], None] | None = None


@dataclass(slots=True)
class RunReport:
    run_id: str
    mode: Mode
    started_at: datetime
    ended_at: datetime | None = None
    outcomes: dict[str, StepOutcome] = field(default_factory=dict)
    max_concurrency: int = 0

    @property
    def success(self) -> bool:
        return all(o.ok for o in self.outcomes.values())

    @property
    def failed_steps(self) -> list[str]:
        return [n for n, o in self.outcomes.items() if o.status is Status.FAILED]

    @property
    def error_message(self) -> str | None:
        errors = [o.error_message for o in self.outcomes.values() if o.status is Status.FAILED]
        return "; ".join(e for e in errors if e) or None


class _Run:
    """State of one run: outcomes, outputs, watermarks, and the lock that guards them."""

    def __init__(
        self,
        spark: SparkSession,
        specs: Mapping[str, StepSpec],
        stage_of: Mapping[str, int],
        sources: Mapping[str, Any],
        options: RunOptions,
    ) -> None:
        self.spark = spark
        self.specs = specs
        self.stage_of = stage_of
        self.sources = sources
        self.options = options
        self.mode = options.mode
        self.lock = threading.Lock()
        self.outputs: dict[str, DataFrame] = {}
        self.cached: dict[str, DataFrame] = {}
        self.running = 0
        self.max_running = 0
        self.overwritten: set[str] = set()
        self.high_water: dict[str, str | None] = {}
        self.consumers: dict[str, list[str]] = {}
        for name in stage_of:
            for upstream in specs[name].upstream:
                self.consumers.setdefault(upstream, []).append(name)
        self.watermarks = self._read_watermarks()
        self.catalog_warmup = self._start_catalog_warmup()

    def _start_catalog_warmup(self) -> threading.Thread | None:
        """Create the target schemas and the log table in the background while the first steps read.

        The first metastore call of a process is slow (the Hive client starts); made here, it overlaps
        the bronze reads instead of delaying the first write. Errors are left to the writes, which
        report them against their step.
        """
        if self.mode is Mode.VALIDATION_ONLY:
            return None
        schemas = sorted(
            {split_fqn(s.table)[0] or "" for s in self.specs.values() if s.layer != "bronze"} - {""}
        )
        log_table = self.options.log_table

        def warm() -> None:
            try:
                for schema in schemas:
                    ensure_schema(self.spark, schema)
                if log_table:
                    self.spark.sparkContext.setJobGroup(LOG_JOB_GROUP, "create the run log", False)
                    ensure_log_table(self.spark, log_table)
            except Exception:  # the step or log write that needs it reports the error
                return

        thread = threading.Thread(target=warm, name="sparkforge-catalog", daemon=True)
        thread.start()
        return thread

    def release(self, names: Sequence[str]) -> None:
        """Drop the cached rows of these steps."""
        with self.lock:
            frames = [self.cached.pop(n) for n in names if n in self.cached]
        for frame in frames:
            frame.unpersist(blocking=False)

    def release_inputs(self, finished: str, done: set[str]) -> None:
        """Once every step of this run that reads a step's output is done, drop its cached rows."""
        spec = self.specs[finished]
        idle = [
            name
            for name in (finished, *spec.upstream)
            if all(c in done for c in self.consumers.get(name, ()))
        ]
        self.release(idle)

    def _incremental_silver(self, spec: StepSpec) -> str | None:
        """The watermark column of a silver step that appends in incremental runs, else None."""
        if spec.layer != "silver" or spec.existing or not spec.source_bronze:
            return None
        bronze = self.specs.get(spec.source_bronze)
        if bronze is None or not bronze.incremental_col:
            return None
        return spec.watermark_col or bronze.incremental_col

    def _read_watermarks(self) -> dict[str, Any]:
        """Newest watermark per incremental silver step, read before anything is written.

        Each read looks up the watermark the table's newest commit recorded (or, failing that, scans
        the watermark column); with parallel execution on, the tables are read side by side.
        """
        if self.mode is not Mode.INCREMENTAL:
            return {}
        wanted = {
            spec.name: (spec, column)
            for spec in self.specs.values()
            if spec.name in self.stage_of and (column := self._incremental_silver(spec))
        }

        def read(name: str) -> Any:
            spec, column = wanted[name]
            self.spark.sparkContext.setJobGroup(
                f"{WATERMARK_JOB_GROUP}{name}", f"newest {column} of {spec.table}", False
            )
            return ex.previous_watermark(self.spark, spec, column)

        workers = min(len(wanted), self.options.max_workers) if self.options.parallel else 1
        if workers <= 1:
            return {name: read(name) for name in wanted}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparkforge-wm") as pool:
            return dict(zip(wanted, pool.map(read, wanted), strict=True))

    def bronze_watermark(self, bronze: StepSpec) -> Any:
        """Rows newer than the oldest of its dependents' watermarks; None when any starts afresh."""
        marks = [
            self.watermarks.get(s.name)
            for s in self.specs.values()
            if s.source_bronze == bronze.name and s.name in self.watermarks
        ]
        known = [m for m in marks if m is not None]
        if not marks or len(known) < len(marks):
            return None
        return min(known)

    def run_step(self, spec: StepSpec, outcome: StepOutcome) -> None:
        if spec.layer == "bronze":
            source = self.sources.get(spec.name)
            watermark = self.bronze_watermark(spec) if spec.incremental_col else None
            df = ex.read_bronze(self.spark, spec, outcome, source=source, watermark=watermark)
            out = self.validate(df, spec, outcome, spec.incremental_col)
            with self.lock:
                self.high_water[spec.name] = outcome.high_water
        elif spec.layer == "silver":
            out = self._run_silver(spec, outcome)
        else:
            out = self._run_gold(spec, outcome)
        with self.lock:
            self.outputs[spec.name] = out

    def validate(
        self, df: DataFrame, spec: StepSpec, outcome: StepOutcome, watermark_col: str | None
    ) -> DataFrame:
        valid, flagged = ex.validate(df, spec, outcome, watermark_col=watermark_col)
        with self.lock:
            self.cached[spec.name] = flagged
        return valid

    def _run_silver(self, spec: StepSpec, outcome: StepOutcome) -> DataFrame:
        if spec.existing:
            return self.validate(self.spark.table(spec.table), spec, outcome, None)
        wm_col = self._incremental_silver(spec)
        bronze_df = self.outputs[spec.source_bronze] if spec.source_bronze else None
        previous = self.watermarks.get(spec.name)
        if bronze_df is not None and previous is not None:
            bronze = self.specs[spec.source_bronze or ""]
            outcome.previous_watermark = str(previous)
            bronze_df = ex.newer_than(bronze_df, bronze.incremental_col or "", previous)
        priors = ex.DeclaredInputs(
            {n: self._prior(n, previous) for n in (*spec.source_silvers, *spec.depends_on)},
            step=spec.name,
            argument="depends_on",
        )
        df = ex.call_transform(spec, self.spark, bronze_df, priors)
        valid = self.validate(df, spec, outcome, wm_col)
        if self.mode is not Mode.VALIDATION_ONLY:
            mode = ex.write_mode_for(spec, self.mode, incremental=wm_col is not None)
            covered = self._covered_watermark(spec, previous) if wm_col else None
            ex.publish(valid, spec, outcome, mode, watermark=covered)
            if mode == "overwrite":
                with self.lock:
                    self.overwritten.add(spec.name)
        return valid

    def _covered_watermark(self, spec: StepSpec, previous: Any) -> Any:
        """The newest bronze watermark this run offered the step: the bronze's own, or, when the
        bronze read nothing new, where the step stood before. None (nothing recorded, so the next
        run falls back to the table's newest value) when the bronze did not run in this run."""
        bronze = spec.source_bronze or ""
        if bronze not in self.high_water:
            return None
        return self.high_water[bronze] or previous

    def _prior(self, name: str, previous: Any) -> DataFrame:
        """What an upstream silver step gives a dependent one.

        Normally its output of this run. But when the dependent step appends in an incremental run,
        an appending upstream's rows newer than the dependent's own watermark are read back from the
        upstream's table: rows the upstream appended in an earlier run in which the dependent step
        failed or was cancelled still reach it, and none twice.
        """
        upstream = self.specs.get(name)
        column = self._incremental_silver(upstream) if upstream is not None else None
        if previous is None or column is None or self.mode is not Mode.INCREMENTAL:
            return self.outputs[name]
        assert upstream is not None
        table = self.spark.table(upstream.table)
        return ex.newer_than(table, column, previous)

    def _run_gold(self, spec: StepSpec, outcome: StepOutcome) -> DataFrame:
        def whole(name: str) -> DataFrame:
            # A silver step that replaced its table in this run holds exactly the table's rows in
            # Spark's cache: read them there instead of loading the table's snapshot again.
            source = self.specs[name]
            if name in self.overwritten or (
                self.mode is Mode.VALIDATION_ONLY and not source.existing
            ):
                return self.outputs[name]
            return self.spark.table(source.table)

        silvers = ex.DeclaredInputs(
            {n: whole(n) for n in spec.source_silvers},
            step=spec.name,
            argument="source_silvers",
        )
        df = ex.call_transform(spec, self.spark, silvers)
        valid = self.validate(df, spec, outcome, None)
        if self.mode is not Mode.VALIDATION_ONLY:
            # Gold is recomputed from whole silvers: overwrite, or upsert when keys are declared.
            merge = spec.write_mode == "merge" and self.mode is Mode.INCREMENTAL
            ex.publish(valid, spec, outcome, "merge" if merge else "overwrite")
        return valid


def _task(run: _Run, spec: StepSpec, outcome: StepOutcome) -> StepOutcome:
    sc = run.spark.sparkContext
    # Per-thread properties, set in the worker thread itself so pools and groups never leak.
    sc.setLocalProperty("spark.scheduler.pool", spec.name)
    sc.setJobGroup(f"sparkforge:{spec.name}", f"{spec.layer} step {spec.name}", False)
    with run.lock:
        run.running += 1
        run.max_running = max(run.max_running, run.running)
    outcome.start_time = time.time()
    try:
        run.run_step(spec, outcome)
    except Exception as exc:
        outcome.status = Status.FAILED
        outcome.error_type = type(exc).__name__
        outcome.error_message = str(exc) if isinstance(exc, ex.ThresholdError) else (
            f"[{spec.layer}:{spec.name}] {exc}"
        )
    finally:
        outcome.end_time = time.time()
        with run.lock:
            run.running -= 1
        sc.setLocalProperty("spark.scheduler.pool", None)  # type: ignore[arg-type]
    return outcome


def _cancel(outcome: StepOutcome, spec: StepSpec, failed: str) -> None:
    outcome.status = Status.CANCELLED
    outcome.error_type = "Cancelled"
    outcome.error_message = f"[{spec.layer}:{spec.name}] cancelled because {failed!r} did not complete"
    outcome.start_time = outcome.end_time = time.time()


def run_pipeline(
    spark: SparkSession,
    stages: Sequence[Sequence[StepSpec]],
    sources: Mapping[str, Any] | None = None,
    options: RunOptions | None = None,
    *,
    upstream: Mapping[str, DataFrame] | None = None,
    context: Mapping[str, StepSpec] | None = None,
) -> RunReport:
    """Run every step; log one row per step once, in a `finally`, even when the run fails.

    `upstream` holds outputs of steps outside this run (running one step on its own), and
    `context` their specs, which steps of this run may need (a bronze's incremental column).
    """
    options = options or RunOptions()
    specs = {s.name: s for stage in stages for s in stage}
    stage_of = {s.name: i + 1 for i, stage in enumerate(stages) for s in stage}
    report = RunReport(run_id=str(uuid.uuid4()), mode=options.mode, started_at=datetime.now(UTC))
    report.outcomes = {
        name: StepOutcome(name, spec.layer, stage_of[name], threshold=spec.threshold)
        for name, spec in specs.items()
    }
    run: _Run | None = None
    try:
        run = _Run(spark, {**(context or {}), **specs}, stage_of, sources or {}, options)
        run.outputs.update(upstream or {})
        _schedule(run, stages, report)
    finally:
        report.ended_at = datetime.now(UTC)
        if run is not None:
            if run.catalog_warmup is not None:
                run.catalog_warmup.join()
            report.max_concurrency = run.max_running
            for outcome in report.outcomes.values():
                outcome.output = run.outputs.get(outcome.name)
            run.release(list(run.cached))
        if options.log_table and options.mode is not Mode.VALIDATION_ONLY:
            append_log(spark, options.log_table, log_rows(report, specs, options))
    return report


def _schedule(run: _Run, stages: Sequence[Sequence[StepSpec]], report: RunReport) -> None:
    """Submit each step once its dependencies are done (and, unless unified, its stage has begun)."""
    opts = run.options
    workers = max(1, opts.max_workers) if opts.parallel else 1
    pending = [s for stage in stages for s in stage]
    futures: dict[Future[StepOutcome], str] = {}
    done: set[str] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparkforge") as pool:
        while pending or futures:
            for spec in [s for s in pending if _ready(s, done, run, opts.unified)]:
                pending.remove(spec)
                blocker = _failed_upstream(spec, done, report)
                if blocker is None:
                    futures[pool.submit(_task, run, spec, report.outcomes[spec.name])] = spec.name
                    continue
                _cancel(report.outcomes[spec.name], spec, blocker)
                done.add(spec.name)
                run.release_inputs(spec.name, done)
                _progress(opts, report.outcomes[spec.name])
            if not futures:
                if pending and not any(_ready(s, done, run, opts.unified) for s in pending):
                    raise RuntimeError(f"steps can never start (cyclic plan?): {[s.name for s in pending]}")
                continue
            finished, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for future in finished:
                name = futures.pop(future)
                done.add(name)
                run.release_inputs(name, done)
                _progress(opts, report.outcomes[name])


def _failed_upstream(spec: StepSpec, done: set[str], report: RunReport) -> str | None:
    """The first finished upstream step of this run that did not complete, if any."""
    for name in spec.upstream:
        outcome = report.outcomes.get(name)
        if name in done and outcome is not None and outcome.status is not Status.COMPLETED:
            return name
    return None


def _ready(spec: StepSpec, done: set[str], run: _Run, unified: bool) -> bool:
    if any(u in run.stage_of and u not in done for u in spec.upstream):
        return False
    if unified:
        return True
    # Staged: a step also waits until every step of the earlier stages is done.
    stage = run.stage_of[spec.name]
    return all(n in done for n, s in run.stage_of.items() if s < stage)


def _progress(options: RunOptions, outcome: StepOutcome) -> None:
    if options.progress is not None:
        options.progress(outcome)
