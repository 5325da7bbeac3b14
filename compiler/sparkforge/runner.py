"""PipelineRunner: the interpreted way to run a pipeline the builder declared.

Input: a SparkSession and a validated `ir.Pipeline` (from `PipelineBuilder.to_pipeline()`). Output:
`ExecutionResult`s. It executes through the same runtime engine that compiled jobs call, with the same
step values (`step_fields`), so both paths write the same tables and the same log rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from sparkforge_runtime import lineage
from sparkforge_runtime.outcome import RunReport, StepOutcome
from sparkforge_runtime.plan import Mode
from sparkforge_runtime.quiet import TASK_ERRORS, quiet_query_context, silenced
from sparkforge_runtime.rulecounts import format_rule_failures
from sparkforge_runtime.scheduler import RunOptions, run_plan

from sparkforge import graph
from sparkforge.exceptions import PipelineValidationError, StepError
from sparkforge.interpreted_steps import runtime_plan
from sparkforge.ir import Layer, Pipeline, Step
from sparkforge.models import ExecutionResult, StepExecutionResult, UnifiedExecutionResult
from sparkforge.performance import format_duration
from sparkforge.results import execution_result, step_result
from sparkforge.step_fields import log_table, step_fields


class StepExecutor:
    """Step-by-step execution state for debugging: outputs and outcomes of the steps run so far."""

    def __init__(self, runner: PipelineRunner) -> None:
        self._runner = runner
        self.outputs: dict[str, DataFrame] = {}
        self.results: dict[str, StepExecutionResult] = {}

    def get_step_output(self, step_name: str) -> DataFrame:
        if step_name not in self.outputs:
            ran = sorted(self.outputs) or "none"
            raise StepError(
                f"step {step_name!r} has no output yet (steps with output: {ran}); run it first",
                step=step_name,
            )
        return self.outputs[step_name]

    def list_completed_steps(self) -> list[str]:
        return [n for n, r in self.results.items() if r.status.value == "completed"]

    def list_failed_steps(self) -> list[str]:
        return [n for n, r in self.results.items() if r.status.value == "failed"]

    def clear_execution_state(self) -> None:
        self.outputs.clear()
        self.results.clear()

    def record(self, report: RunReport) -> None:
        for name, outcome in report.outcomes.items():
            self.results[name] = step_result(outcome)
            if outcome.output is not None:
                self.outputs[name] = outcome.output


class PipelineRunner:
    """Runs a declared pipeline in any mode, or one step at a time."""

    def __init__(
        self, spark: SparkSession, pipeline: Pipeline, builder: Any = None, *, lineage: bool | None = None
    ) -> None:
        self.spark = spark
        self.pipeline = pipeline
        self.builder = builder
        self.lineage = lineage  # OpenLineage events per step; None: when the environment configures it
        self.plan = graph.plan_stages(pipeline)
        self._executor = StepExecutor(self)
        # True lets a step replace a table that has rows with none (an empty input): the
        # job's --allow-empty. By default such a write is refused and the table kept.
        self.allow_empty = False
        # In incremental runs a step of fewer rows than this warns on a threshold breach instead
        # of failing (a rate over a handful of rows says little); 0: always fail.
        self.min_rows_for_threshold = 20

    # ---- whole-pipeline modes -------------------------------------------------------------
    def initial_load(self, bronze_sources: Mapping[str, Any] | None = None) -> ExecutionResult:
        """Process everything and overwrite every silver and gold table."""
        return self._run(Mode.INITIAL, bronze_sources)

    def run_incremental(
        self, bronze_sources: Mapping[str, Any] | None = None, *, refresh: bool = False
    ) -> ExecutionResult:
        """Process only bronze rows newer than each silver table's watermark; silver appends.
        Steps whose inputs did not change are skipped and gold is refreshed by affected groups
        where the transform allows it (docs/runner.md); `refresh=True` runs every step in full."""
        return self._run(Mode.INCREMENTAL, bronze_sources, refresh=refresh)

    def run_full_refresh(self, bronze_sources: Mapping[str, Any] | None = None) -> ExecutionResult:
        """Reprocess everything and overwrite every silver and gold table."""
        return self._run(Mode.FULL_REFRESH, bronze_sources)

    def run_validation_only(
        self, bronze_sources: Mapping[str, Any] | None = None
    ) -> ExecutionResult:
        """Run transforms and validation, write nothing; the result says what would fail."""
        return self._run(Mode.VALIDATION_ONLY, bronze_sources)

    def run_unified(
        self, bronze_sources: Mapping[str, Any] | None = None, mode: str = "incremental"
    ) -> UnifiedExecutionResult:
        """Schedule across layers: each step starts as soon as its own dependencies are done."""
        result = self._run(Mode.parse(mode), bronze_sources, unified=True)
        assert isinstance(result, UnifiedExecutionResult)
        return result

    # ---- single steps ---------------------------------------------------------------------
    def execute_bronze_step(self, name: str, input_data: Any = None) -> StepExecutionResult:
        """Validate one bronze input (nothing is written); its valid rows feed later steps."""
        self._step(name, Layer.BRONZE)
        sources = {name: input_data} if input_data is not None else {}
        return self._run_one(name, sources)

    def execute_silver_step(self, name: str, force_input: bool = False) -> StepExecutionResult:
        """Run one silver step on its bronze's output; `force_input` reads the bronze first."""
        step = self._step(name, Layer.SILVER)
        bronze = step.source_bronze
        if bronze and bronze not in self._executor.outputs:
            if not force_input:
                raise StepError(
                    f"silver step {name!r} needs the output of bronze step {bronze!r}",
                    step=name,
                    layer="silver",
                    suggestions=(
                        f"call execute_bronze_step({bronze!r}, input_data=df) first",
                        "or pass force_input=True to read the bronze step's default source table",
                    ),
                )
            self._run_one(bronze, {})
        return self._run_one(name, {})

    def execute_gold_step(self, name: str) -> StepExecutionResult:
        """Run one gold step on the silver tables as they are now."""
        self._step(name, Layer.GOLD)
        return self._run_one(name, {})

    # ---- introspection --------------------------------------------------------------------
    def get_step_info(self, name: str) -> dict[str, Any]:
        step = self._step(name, None)
        fields = step_fields(step, self.pipeline.settings)
        stage = next(i + 1 for i, s in enumerate(self.plan.stages) if name in s)
        return {
            **fields,
            "type": step.layer.value,
            "stage": stage,
            "description": step.description,
            "rules": {c: [r.label or r.source or "expr" for r in step.rules if r.column == c]
                      for c in step.rule_columns},
            "transform": step.transform.name if step.transform else None,
            "upstream": list(step.upstream),
        }

    def list_steps(self) -> dict[str, list[str]]:
        return {layer.value: list(self.pipeline.names(layer)) for layer in Layer}

    def create_step_executor(self) -> StepExecutor:
        return self._executor

    # ---- internals ------------------------------------------------------------------------
    def _step(self, name: str, layer: Layer | None) -> Step:
        try:
            step = self.pipeline.step(name)
        except KeyError:
            raise StepError(
                f"no step named {name!r}; steps: {list(self.pipeline.names())}", step=name
            ) from None
        if layer is not None and step.layer is not layer:
            raise StepError(
                f"step {name!r} is a {step.layer.value} step, not {layer.value}",
                step=name,
                layer=step.layer.value,
            )
        return step

    def _options(self, mode: Mode, *, logged: bool = True, refresh: bool = False) -> RunOptions:
        progress = _print_progress if self.pipeline.settings.verbose else None
        table = log_table(self.pipeline.settings) if logged else None
        listeners = lineage.listeners(self.lineage)
        return RunOptions(mode=mode, log_table=table, engine="interpreted", progress=progress,
                          allow_empty=self.allow_empty, min_rows=self.min_rows_for_threshold,
                          listeners=listeners, refresh=refresh)  # fmt: skip

    def _run(
        self, mode: Mode, sources: Mapping[str, Any] | None, unified: bool = False, refresh: bool = False
    ) -> ExecutionResult:
        self._check_sources(sources)
        pipeline, plan = runtime_plan(self.plan)
        plan = plan.replace(unified=plan.unified or unified)
        with query_context_quieted(self.spark):  # a failed step's line says it, without a JVM stack
            report = run_plan(self.spark, pipeline, plan, self._options(mode, refresh=refresh), sources)
        self._executor.record(report)
        return execution_result(report, unified=unified)

    def _run_one(self, name: str, sources: Mapping[str, Any]) -> StepExecutionResult:
        pipeline, plan = runtime_plan(self.plan)
        with query_context_quieted(self.spark):
            report = run_plan(
                self.spark,
                pipeline,
                plan.only(frozenset({name})),
                self._options(Mode.INITIAL, logged=False),
                sources,
                upstream=dict(self._executor.outputs),
            )
        self._executor.record(report)
        return self._executor.results[name]

    def _check_sources(self, sources: Mapping[str, Any] | None) -> None:
        unknown = sorted(set(sources or {}) - set(self.pipeline.names(Layer.BRONZE)))
        if unknown:
            raise PipelineValidationError(
                f"bronze_sources names steps that are not bronze steps: {unknown}; "
                f"bronze steps: {list(self.pipeline.names(Layer.BRONZE))}"
            )


@contextmanager
def query_context_quieted(spark: SparkSession) -> Iterator[None]:
    """`quiet_query_context` and Spark's failed-task stacks (`TASK_ERRORS`) inside the block only:
    a run in the user's own process and session, whose levels come back after it."""
    before = quiet_query_context()
    try:
        with silenced(spark, TASK_ERRORS):
            yield
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def _print_progress(outcome: StepOutcome) -> None:
    print(
        f"  {outcome.status.value:<9} {outcome.layer:<6} {outcome.name:<24} "
        f"in {outcome.input_rows:>9,}  valid {outcome.validation_rate:6.2f}%  "
        f"written {outcome.rows_written:>9,}  {format_duration(outcome.duration_secs):>8}",
        flush=True,
    )
    failing = format_rule_failures(outcome)
    if failing:
        print(f"            {failing}", flush=True)
