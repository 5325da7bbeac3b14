"""The two readers of a pipeline file agree: what the compiler reads statically equals what the
interpreted builder builds when the file runs.

For every example and every golden case, the file is read by the frontend (`read_pipeline`, never
running it) and executed as Python on the shared session (its `build(spark)`, or the builder it
creates at module level); the two `ir.Pipeline`s must hold the same settings, the same steps in the
same order with the same layers, tables, schemas, sources, options, transforms (and what a
`functools.partial` binds) and rules, and the same decisions on how each step is refreshed in
incremental runs (skipped, by groups). A Column rule is compared by the Column the compiler's
source text gives in the file's own namespace against the Column the builder holds, so a helper-
or loop-built rule is checked too.
"""

from __future__ import annotations

import contextlib
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from sparkforge import PipelineBuilder
from sparkforge.compiler.read.decode_source import decode_source
from sparkforge.compiler.read.frontend import read_pipeline
from sparkforge.ir import Pipeline, RuleKind, RuleSpec, Step
from sparkforge.step_plan import plan_step

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = sorted(
    [*(ROOT / "tests" / "cases").glob("*/pipeline.py"), *(ROOT / "examples").glob("*/pipeline.py")]
)
STEP_FIELDS = (
    "name", "layer", "description", "schema", "table_name", "source_bronze", "source_silvers",
    "depends_on", "incremental_col", "watermark_col", "write_mode", "merge_keys",
    "filter_columns_by_rules", "existing", "unchecked_columns",
)  # fmt: skip


def _case_id(path: Path) -> str:
    return path.parent.relative_to(ROOT).as_posix()


def compiled_model(path: Path) -> Pipeline:
    text = decode_source(path.read_bytes(), path.name)
    pipeline, diagnostics = read_pipeline(text, path.name, base_dir=path.parent)
    assert pipeline is not None, [d.message for d in diagnostics]
    return pipeline


@contextlib.contextmanager
def beside_on_path(folder: Path) -> Iterator[None]:
    """The pipeline's sibling modules importable while it runs, and forgotten afterwards (cases
    reuse module names such as `transforms`)."""
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            if str(getattr(sys.modules[name], "__file__", "") or "").startswith(str(folder)):
                del sys.modules[name]


def interpreted(path: Path, spark: SparkSession) -> tuple[Pipeline, dict[str, Any]]:
    """Run the file (not as __main__) and build the pipeline of its builder."""
    with beside_on_path(path.parent):
        namespace = runpy.run_path(str(path), init_globals={"spark": spark}, run_name="pipeline_under_test")
        builders = [v for v in namespace.values() if isinstance(v, PipelineBuilder)]
        if not builders and callable(namespace.get("build")):
            builders = [namespace["build"](spark)]
    assert len(builders) == 1, f"{path}: expected one PipelineBuilder, found {len(builders)}"
    return builders[0].build(), namespace


def rule_key(rule: RuleSpec, namespace: dict[str, Any]) -> tuple[Any, ...]:
    if rule.kind is not RuleKind.EXPR:
        return (rule.column, rule.kind, rule.name, rule.args)
    column = rule.column_obj
    if column is None:  # the compiler's side: its source text, evaluated where it was written
        assert rule.source is not None
        column = eval(rule.source, namespace)  # a Column expression of a test pipeline
    return (rule.column, rule.kind, str(column))


def step_view(step: Step, pipeline: Pipeline, namespace: dict[str, Any]) -> dict[str, Any]:
    view = {name: getattr(step, name) for name in STEP_FIELDS}
    view["rules"] = [rule_key(r, namespace) for r in step.rules]
    transform = step.transform
    view["transform"] = (transform.name, transform.args, transform.kwargs) if transform else None
    view["refresh"] = plan_step(step, pipeline).refresh  # skip and group refresh decided alike
    return view


@contextlib.contextmanager
def schemas_of(spark: SparkSession, pipeline: Pipeline) -> Iterator[None]:
    """The schemas the builder checks (a step's own `schema=`) exist while it runs."""
    names = {s.schema for s in pipeline.steps if s.schema} | {pipeline.settings.schema}
    made = [n for n in sorted(names) if not spark.catalog.databaseExists(n)]
    for name in made:
        spark.sql(f"CREATE SCHEMA `{name}`")
    try:
        yield
    finally:
        for name in made:
            spark.sql(f"DROP SCHEMA IF EXISTS `{name}` CASCADE")


@pytest.mark.parametrize("path", PIPELINES, ids=_case_id)
def test_compiler_reads_what_the_builder_builds(path: Path, spark: SparkSession) -> None:
    compiled = compiled_model(path)
    with schemas_of(spark, compiled):
        built, namespace = interpreted(path, spark)
    assert compiled.settings == built.settings
    assert [s.name for s in compiled.steps] == [s.name for s in built.steps]
    for ours, theirs in zip(compiled.steps, built.steps, strict=True):
        assert step_view(ours, compiled, namespace) == step_view(theirs, built, namespace), ours.name


def test_every_golden_and_example_is_compared() -> None:
    assert len(PIPELINES) >= 20
    assert any("looped_steps" in str(p) for p in PIPELINES)
