"""Run one step of a pipeline on DataFrames a test gives, and see what it made of them.

Input: the pipeline (a `build(spark)` function, a `PipelineBuilder`, or `to_pipeline()`'s runner),
a step name, and the step's inputs: `bronze=` (what a bronze step validates, or what a silver
transform receives as `bronze_df`) and `silvers=` (its `prior_silvers` / `silvers`). Output: a
`StepResult`. The step runs the body the interpreted runner and the compiled job run (the same
`StepPlan`, the same verbs), in validation-only mode, so nothing is read from or written to a table.

    result = run_step(build, "clean_orders", bronze=orders)
    result.valid, result.invalid, result.rate, result.rules, result.passed
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge_runtime.errors import ThresholdError
from sparkforge_runtime.outcome import StepOutcome
from sparkforge_runtime.plan import Mode
from sparkforge_runtime.rules import VALID_FLAG, failed_rules
from sparkforge_runtime.verbs import RunState, StepRun

from sparkforge.interpreted_steps import step_function
from sparkforge.ir import Layer, Pipeline
from sparkforge.rules import to_runtime_rules
from sparkforge.step_plan import StepPlan, plan_step
from sparkforge.suggest import did_you_mean
from sparkforge.validation import FAILED_RULES_COLUMN

__all__ = ["StepResult", "run_step"]


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one step made of its inputs. `rules` maps each rule (`"amount:positive"`) to the number
    of rows that failed it; `passed` says whether the rate reached the step's threshold."""

    step: str
    layer: str
    valid: DataFrame = field(repr=False)
    invalid: DataFrame = field(repr=False)  # with `_failed_rules`: the rules each row failed
    total_rows: int
    valid_rows: int
    invalid_rows: int
    rate: float
    threshold: float
    passed: bool
    rules: dict[str, int]
    message: str | None = None  # the pipeline's own words when the step fails its threshold
    _cached: DataFrame | None = field(default=None, repr=False, compare=False)

    def unpersist(self) -> None:
        """Drop the cached rows (the step caches them, as in a run); later reads recompute them."""
        if self._cached is not None:
            self._cached.unpersist()


def run_step(
    build: Any,
    step: str,
    *,
    bronze: DataFrame | None = None,
    silvers: Mapping[str, DataFrame] | None = None,
    spark: SparkSession | None = None,
) -> StepResult:
    """Run step `step` of the pipeline `build` on the given inputs; write nothing (module docstring).

    `silvers` may hold more than the step declares; it receives only what it declares. A transform
    that raises, or rules naming a column the rows lack, raise here as they would in a run.
    """
    frames = {"bronze": bronze, **{f"silvers[{k!r}]": v for k, v in (silvers or {}).items()}}
    for name, frame in frames.items():
        if frame is not None and not isinstance(frame, DataFrame):
            raise TypeError(f"run_step({step!r}): {name} must be a DataFrame, got {type(frame).__name__}")
    given = [f for f in frames.values() if f is not None]
    session = spark or (given[0].sparkSession if given else SparkSession.getActiveSession())
    pipeline = pipeline_of(build, session)
    if session is None:
        raise ValueError(f"run_step({step!r}) found no SparkSession: pass spark=...")
    plan = _offline(plan_step(_find(pipeline, step), pipeline))
    log = logging.getLogger(f"sparkforge.testing.{step}")
    state = RunState(session, Mode.VALIDATION_ONLY, log, pipeline.settings.table_format)
    state.outputs.update(_inputs(plan, bronze, dict(silvers or {})))
    if plan.layer is Layer.BRONZE:
        state.sources = {step: bronze}
    run = StepRun(state, plan.info, StepOutcome(step, plan.layer.value, 1))
    message = None
    try:
        _body(plan)(run)
    except ThresholdError as exc:
        message = str(exc)
    return _result(plan, run, state.cached[step], message)


def pipeline_of(build: Any, spark: SparkSession | None) -> Pipeline:
    """The declared pipeline of a `build(spark)` function, a builder, its runner or a pipeline."""
    from sparkforge.builder import PipelineBuilder
    from sparkforge.runner import PipelineRunner

    if isinstance(build, Pipeline):
        return build
    if isinstance(build, PipelineRunner):
        return build.pipeline
    if isinstance(build, PipelineBuilder):
        return build.build()
    if not callable(build):
        raise TypeError(
            f"run_step needs the pipeline: your build(spark) function, a PipelineBuilder or "
            f"builder.to_pipeline(); got {type(build).__name__}"
        )
    if spark is None:
        raise ValueError(
            "run_step calls build(spark) but found no SparkSession: pass an input DataFrame, "
            "spark=..., or use the sparkforge_spark fixture"
        )
    made = build(spark)
    if not isinstance(made, PipelineBuilder | PipelineRunner | Pipeline):
        raise TypeError(
            f"{getattr(build, '__name__', 'build')}(spark) returned {type(made).__name__}; it "
            "should return the PipelineBuilder (or its to_pipeline())"
        )
    return pipeline_of(made, spark)


def _find(pipeline: Pipeline, name: str) -> Any:
    try:
        return pipeline.step(name)
    except KeyError:
        names = pipeline.names()
        hint = did_you_mean(name, names) or f"steps: {', '.join(names)}"
        raise KeyError(f"the pipeline has no step {name!r}; {hint}") from None


def _offline(plan: StepPlan) -> StepPlan:
    """Every input from what the test passes: an existing table read `as it is` becomes an input."""
    inputs = tuple(replace(r, how="output") if r.how == "table" else r for r in plan.inputs)
    return replace(plan, inputs=inputs)


def _inputs(plan: StepPlan, bronze: DataFrame | None, silvers: dict[str, DataFrame]) -> dict[str, DataFrame]:
    """The outputs the step reads, by step name; a clear error for each one the test left out."""
    name, layer = plan.step.name, plan.layer.value
    if plan.layer is Layer.BRONZE or plan.step.existing:
        rows = bronze if bronze is not None else silvers.get(name)
        if rows is None:
            raise ValueError(f"{layer} step {name!r} validates the rows you pass: run_step(..., {name!r}, bronze=df)")
        return {name: rows}
    outputs: dict[str, DataFrame] = {}
    if plan.transform_input:
        if bronze is None:
            raise ValueError(
                f"silver step {name!r} transforms the rows of bronze step {plan.transform_input!r}: "
                f"pass them as bronze=df"
            )
        outputs[plan.transform_input] = bronze
    missing = [r.name for r in plan.inputs if r.name not in silvers]
    if missing:
        argument = "silvers" if plan.layer is Layer.GOLD else "prior_silvers"
        raise ValueError(
            f"{layer} step {name!r} reads {missing} in its {argument}: pass "
            f"silvers={{{', '.join(f'{m!r}: df' for m in missing)}}}"
        )
    outputs.update({r.name: silvers[r.name] for r in plan.inputs})
    return outputs


def _body(plan: StepPlan) -> Callable[[StepRun], Any]:
    """The step's own body; an existing table is validated as given instead of read."""
    if not plan.step.existing:
        return step_function(plan)
    rules = to_runtime_rules(plan.step.rules)

    def validate_existing(run: StepRun) -> DataFrame:
        checked = run.validate(run.output(plan.step.name), rules, keep=plan.keep)
        run.gate(checked, min_rate=plan.threshold)
        return checked.valid

    return validate_existing


def _rule_failures(outcome: StepOutcome) -> dict[str, int]:
    return dict(outcome.rule_failures)


def _result(plan: StepPlan, run: StepRun, flagged: DataFrame, message: str | None) -> StepResult:
    rules = to_runtime_rules(plan.step.rules)
    o = run.outcome
    invalid = (
        flagged.filter(~F.col(VALID_FLAG))
        .withColumn(FAILED_RULES_COLUMN, failed_rules(rules))
        .drop(VALID_FLAG)
    )
    return StepResult(
        step=plan.step.name, layer=plan.layer.value,
        valid=flagged.filter(F.col(VALID_FLAG)).drop(VALID_FLAG), invalid=invalid,
        total_rows=o.input_rows, valid_rows=o.valid_rows, invalid_rows=o.invalid_rows,
        rate=o.validation_rate, threshold=plan.threshold, passed=message is None,
        rules=_rule_failures(o), message=message, _cached=flagged,
    )  # fmt: skip
