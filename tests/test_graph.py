"""Dependencies, cycles and stages, on hand-built pipeline models (no Spark needed)."""

from __future__ import annotations

import dataclasses
import sys

import pytest
from sparkforge import graph
from sparkforge.exceptions import PipelineValidationError, StepError
from sparkforge.ir import Layer, Pipeline, Settings, Step


def _pipeline(*steps: Step, unified: bool = False) -> Pipeline:
    return Pipeline(Settings(schema="s", unified_execution=unified), steps)


def _diamond() -> tuple[Step, ...]:
    return (
        Step("events", Layer.BRONZE),
        Step("users", Layer.BRONZE),
        Step("clean", Layer.SILVER, source_bronze="events"),
        Step("enriched", Layer.SILVER, source_bronze="events", depends_on=("profiles",)),
        Step("profiles", Layer.SILVER, source_bronze="users"),
        Step("daily", Layer.GOLD, source_silvers=("clean",)),
        Step("report", Layer.GOLD, source_silvers=("enriched", "clean")),
    )


def test_dependencies() -> None:
    deps = graph.dependencies(_diamond())
    assert deps["events"] == ()
    assert deps["enriched"] == ("events", "profiles")
    assert deps["report"] == ("enriched", "clean")


def test_find_cycle_returns_path() -> None:
    assert graph.find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert graph.find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert graph.find_cycle({"x": [], "a": ["a"]}) == ["a", "a"]
    # a cycle reached through a prefix does not include the prefix
    assert graph.find_cycle({"p": ["a"], "a": ["b"], "b": ["a"]}) == ["a", "b", "a"]
    assert graph.format_cycle(["a", "b", "a"]) == "a -> b -> a"


def test_find_cycle_deep_chain_without_recursion() -> None:
    n = sys.getrecursionlimit() + 100
    deps = {f"s{i}": [f"s{i + 1}"] for i in range(n)}
    deps[f"s{n}"] = []
    assert graph.find_cycle(deps) is None


def test_layered_stages_never_mix_layers() -> None:
    plan = graph.plan_stages(_pipeline(*_diamond()))
    assert plan.stages == (
        ("events", "users"),
        ("clean", "profiles"),
        ("enriched",),
        ("daily", "report"),
    )


def test_unified_stages_follow_dependencies_only() -> None:
    plan = graph.plan_stages(_pipeline(*_diamond(), unified=True))
    assert plan.stages == (
        ("events", "users"),
        ("clean", "profiles"),
        ("daily", "enriched"),
        ("report",),
    )


def test_plan_is_deterministic_regardless_of_declaration_order() -> None:
    steps = _diamond()
    forward = graph.plan_stages(_pipeline(*steps))
    backward = graph.plan_stages(_pipeline(*reversed(steps)))
    assert forward.stages == backward.stages


def test_plan_rejects_cycle_with_path() -> None:
    steps = (
        Step("b0", Layer.BRONZE),
        Step("a", Layer.SILVER, source_bronze="b0", depends_on=("b",)),
        Step("b", Layer.SILVER, source_bronze="b0", source_silvers=("a",)),
    )
    with pytest.raises(PipelineValidationError, match="dependency cycle: a -> b -> a") as err:
        graph.plan_stages(_pipeline(*steps))
    assert err.value.step == "a" and err.value.layer == "silver"


def test_plan_rejects_unknown_and_backward_layer_references() -> None:
    with pytest.raises(StepError, match="unknown step 'evnts'") as err:
        graph.plan_stages(_pipeline(Step("events", Layer.BRONZE),
                                    Step("c", Layer.SILVER, source_bronze="evnts")))
    assert "did you mean 'events'?" in str(err.value)
    steps = (Step("g", Layer.GOLD), Step("s", Layer.SILVER, depends_on=("g",)))
    with pytest.raises(StepError, match="cannot depend on gold step 'g'"):
        graph.plan_stages(_pipeline(*steps))


def test_plan_keeps_pipeline_and_covers_every_step() -> None:
    pipeline = _pipeline(*_diamond())
    plan = graph.plan_stages(pipeline)
    assert plan.pipeline is pipeline
    assert sorted(n for stage in plan.stages for n in stage) == sorted(pipeline.names())
    single = dataclasses.replace(pipeline, steps=(Step("only", Layer.BRONZE),))
    assert graph.plan_stages(single).stages == (("only",),)
