"""What makes compiling fast must not change a byte: unit-wise formatting, units written in black's
layout, and the frontend's index.

`format_source.format_job` formats a job one top-level unit at a time and skips the units the emitters
wrote already formatted (`black_layout`). These tests hold both to black's output for the whole text:
on every golden, a pipeline of the compile-time benchmark, user code shaped to trip the splitting
(comments at the edges of units, decorators, odd spacing, long names, `# fmt: off`) and random
pipelines whose names, values and lengths reach every layout. They also hold `SourceFile.code()`
(cut out of the file) to libcst's `code_for_node`. Speed itself is measured by
`benchmarks/compile_time.py`, not asserted here.
"""

from __future__ import annotations

import ast
import dataclasses
import random
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from libcst._nodes.base import CSTCodegenError
from sparkforge.compiler.emit import literals as emit_values
from sparkforge.compiler.emit.format_source import format_job, format_source
from sparkforge.compiler.emit.generate_job import generate_units
from sparkforge.compiler.emit.job_context import GenerateOptions
from sparkforge.compiler.emit.job_units import GeneratedJob
from sparkforge.compiler.read.decode_source import decode_source
from sparkforge.compiler.read.frontend import read_pipeline
from sparkforge.compiler.read.source_file import parse_source
from sparkforge.graph import plan_stages
from sparkforge.ir import Layer, Pipeline, RuleKind, RuleSpec, Settings, Span, Step, Transform

from benchmarks.compile_time import pipeline_source

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = sorted(
    [*(ROOT / "tests" / "cases").glob("*/pipeline.py"), *(ROOT / "examples").glob("*/pipeline.py")]
)

TRICKY = '''\
"""User code shaped to trip unit-wise formatting: comments at the edges, decorators, odd spacing."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()
LIMIT=10
import functools


def logged(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    return inner


@logged
def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    note = \'\'\'
a string at column zero
\'\'\'
    return bronze_df.filter(F.col( "amount" )>LIMIT)  # keep the big ones
    # an indented trailing comment
# a trailing comment at column zero


def enrich(spark, bronze_df, prior_silvers):
    return prior_silvers['clean'].withColumn('x', F.lit(1))
def short(spark, silvers): return silvers["enrich"]


builder = (
    PipelineBuilder(spark=spark, schema="a_schema_with_a_rather_long_name_to_push_lines_past_the_limit")
    .with_bronze_rules(name="raw", rules={"amount": [F.col('amount')>0, "amount < 1e9"], "id": ["not_null"]},
                       incremental_col="ts")
    .add_silver_transform(name="clean", transform=clean, rules={"amount": ["positive"]},
                          table_name="clean", description="Big amounts only.\\nSecond line.")
    .add_silver_transform(name="quick", transform=lambda spark, df, prior: df.limit( 10 ),
                          rules={"id": [["in", ["a", "b's", 'c"d']]]}, table_name="quick")
    .add_silver_transform(name="enrich", transform=enrich, rules={"x": [["gt", 1e16], ["lt", -0.5]]},
                          table_name="enrich_with_a_table_name_long_enough_to_need_a_split_in_the_plan",
                          depends_on=["clean", "quick"])
    .add_gold_transform(name="short", transform=short, rules={}, table_name="short")
)
'''
# `# fmt: off` reaches past its unit: such a job is formatted as one text.
FMT_OFF = TRICKY.replace("    # an indented trailing comment\n", "# fmt: off\n")


def generate(
    text: str, filename: str = "pipeline.py", base_dir: Path | None = None
) -> GeneratedJob:
    pipeline, diagnostics = read_pipeline(text, filename, base_dir=base_dir)
    assert pipeline is not None, diagnostics
    pipeline = dataclasses.replace(pipeline, source_hash="ab" * 32)
    return generate_units(plan_stages(pipeline), GenerateOptions(filename=filename))


def source_text(path: Path) -> str:
    """As the CLI reads a pipeline: PEP 263 (a golden is saved as Latin-1)."""
    return decode_source(path.read_bytes(), path.name)


def _jobs() -> dict[str, GeneratedJob]:
    jobs = {p.parent.name: generate(source_text(p), base_dir=p.parent) for p in GOLDENS}
    jobs["benchmark"] = generate(pipeline_source(25))
    jobs["tricky"] = generate(TRICKY)
    jobs["fmt_off"] = generate(FMT_OFF)
    return jobs


JOBS = _jobs()


@pytest.mark.parametrize("name", sorted(JOBS))
def test_unit_wise_formatting_is_whole_file_black(name: str) -> None:
    job = JOBS[name]
    assert format_job(job) == format_source(job.text)


@pytest.mark.parametrize("name", sorted(JOBS))
def test_formatted_units_are_what_black_writes(name: str) -> None:
    for unit in JOBS[name].units:
        if unit.formatted is not None:
            assert format_source(unit.text) == unit.formatted + "\n"


def test_the_header_and_the_unit_after_it_are_formatted_together() -> None:
    """Black puts one blank line between an import and a comment, two before a `def`."""
    job = JOBS["lambda_transforms"]
    assert "from pyspark.sql import functions as F\n\n# pipeline.py:15\n" in format_job(job)


# --- random pipelines: every layout the emitters choose, held to black ------------------------------

# Mostly values black keeps as they are, some it respells (or measures in columns, not characters).
WORDS = ["id", "amount", "a", "customer_lifetime_value", "x" * 40, "d" * 25] * 4 + ["événement"]
VALUES: list[Any] = [0, -7, 10**12, 1.5, -0.25, True, False, None, "paid", "it's", 'a "b"', "y" * 30]
ODD: list[Any] = [1e16, 1e-05, "back\\slash", "ünï", "both ' and \""]
OPERATORS = {"gt": 1, "lte": 1, "eq": 1, "ne": 1, "like": 1, "between": 2, "in": 0, "not_in": 0}


def _value(rng: random.Random) -> Any:
    return rng.choice(ODD if rng.random() < 0.05 else VALUES)


def _rule(rng: random.Random, column: str) -> RuleSpec:
    kind = rng.choice([RuleKind.SHORTHAND, RuleKind.OPERATOR, RuleKind.OPERATOR, RuleKind.SQL])
    if kind is RuleKind.SHORTHAND:
        return RuleSpec(column, kind, rng.choice(["not_null", "positive", "not_empty"]))
    if kind is RuleKind.SQL:
        return RuleSpec(column, kind, "sql", (f"{column} > {_value(rng)!r}",))
    op = rng.choice(sorted(OPERATORS))
    count = OPERATORS[op]
    args = [[_value(rng) for _ in range(rng.randint(1, 6))]] if count == 0 else []
    return RuleSpec(column, kind, op, (*args, *(_value(rng) for _ in range(count))))


def _step(rng: random.Random, index: int, layer: Layer, earlier: list[Step]) -> Step:
    name = f"{rng.choice(WORDS)}_{index}"
    columns = rng.sample(WORDS, rng.randint(0, 4))
    fields: dict[str, Any] = {
        "rules": tuple(_rule(rng, c) for c in columns for _ in range(rng.randint(1, 2))),
        "description": rng.choice([None, None, None, "Keeps the good rows.", "Two\nlines", "é"]),
        "span": Span("pipeline.py", 10 + index, 0),
    }
    bronzes = [s.name for s in earlier if s.layer is Layer.BRONZE]
    silvers = [s.name for s in earlier if s.layer is Layer.SILVER]
    if layer is not Layer.BRONZE:
        fields["transform"] = Transform(f"t{index}", source=f"def t{index}(spark, *frames):\n    return frames[0]")
        fields["table_name"] = rng.choice([None, name, "t" * rng.randint(1, 60)])
    if layer is Layer.SILVER:
        fields["source_bronze"] = rng.choice(bronzes)
        fields["depends_on"] = tuple(rng.sample(silvers, min(len(silvers), rng.randint(0, 3))))
        fields["watermark_col"] = rng.choice([None, "ts"])
    elif layer is Layer.GOLD:
        fields["source_silvers"] = tuple(rng.sample(silvers, rng.randint(1, len(silvers))))
    else:
        fields["incremental_col"] = rng.choice([None, "ts", "z" * 40])
    return Step(name, layer, **fields)


def random_pipeline(seed: int) -> Pipeline:
    rng = random.Random(seed)
    steps: list[Step] = []
    for index in range(rng.randint(1, 12)):
        layer = Layer.BRONZE if index < 2 else rng.choice([Layer.SILVER, Layer.SILVER, Layer.GOLD])
        if layer is Layer.GOLD and not any(s.layer is Layer.SILVER for s in steps):
            layer = Layer.SILVER
        steps.append(_step(rng, index, layer, steps))
    settings = Settings(
        schema=rng.choice(["s", "sales", "a_rather_long_schema_name_for_the_tables_of_this_pipeline"]),
        unified_execution=rng.random() < 0.3,
        enable_parallel_silver=rng.random() < 0.7,
        pipeline_name=rng.choice(["p", "pipeline", "pipeline", "é", "n" * 80]),
    )
    return Pipeline(settings, tuple(steps), (), "pipeline.py", "ab" * 32)


@pytest.mark.parametrize("seed", range(40))
def test_black_layout_is_what_black_writes(seed: int) -> None:
    """Each unit written in black's layout is black's output for its plain text, and so is the job."""
    job = generate_units(plan_stages(random_pipeline(seed)), GenerateOptions())
    for unit in job.units:
        if unit.formatted is not None:
            assert format_source(unit.text) == unit.formatted + "\n"
    assert format_job(job) == format_source(job.text)


# --- the frontend's index: source cut out of the file, lookups found without walking the tree ------

ODD_FILES = {
    "crlf": "def f(x):\r\n    return x['a']\r\n\r\ny = f({'a': 1})\r\n",
    "no_final_newline": "def f(x):\n    return x.get('a')",
    "bom": "\ufeffx = 1\nprint(x[0])\n",
    "nested": "def build(s):\n    def t(a, b, c):\n        '''doc\nat column zero'''\n"
    "        return c['x']\n    # a comment\n    return (lambda a, b: b['y'])\n",
    "match": "match cmd:\n    case {'a': x} if (x\n        > f(1)):\n        y = x['b']\n",
}


def _sources() -> dict[str, str]:
    files = {f"{p.parent.name}/{p.name}": source_text(p) for p in GOLDENS}
    files |= {f"{p.parent.name}/{p.name}": source_text(p) for p in ROOT.glob("tests/cases/*/[!pj]*.py")}
    return files | ODD_FILES | {"tricky": TRICKY}


class _Lookups(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.CSTNode] = []

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.found.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.found.append(node)


@pytest.mark.parametrize("name", sorted(_sources()))
def test_source_file_index_agrees_with_libcst(name: str) -> None:
    file = parse_source(_sources()[name], name, "")
    for node in file.ranges:
        try:
            generated = file.tree.code_for_node(node)
        except CSTCodegenError:
            continue  # e.g. a parameter: libcst cannot write it out of its function
        assert file.code(node) == generated.lstrip("\r\n").rstrip(), node
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            walked = _Lookups()
            node.body.visit(walked)
            assert list(file.lookups_in(node.body)) == walked.found


SPELLED: list[Any] = [
    "", "'", '"', "it's", 'say "hi"', " lead", "trail ", "# not a comment", "a" * 120, 0, -1,
    10**30, 0.1, -0.0, 123456789.125, 95.0, True, False, None, (), ("a",), ("a", 1), [], ["a"],
    [("a",), ()], (("a", "b"),), ("x", ("y",)),
]  # fmt: skip
UNSPELLED: list[Any] = ["both ' and \"", "back\\slash", "tab\there", "é", 1e16, 1e-05, ("ok", "é")]


@pytest.mark.parametrize("value", SPELLED, ids=repr)
def test_spell_is_how_black_writes_the_literal(value: Any) -> None:
    spelled = emit_values.spell(value)
    assert spelled is not None
    assert format_source(f"x = {emit_values.literal(value)}\n") == f"x = {spelled}\n"
    assert ast.literal_eval(spelled) == value


@pytest.mark.parametrize("value", UNSPELLED, ids=repr)
def test_values_black_may_respell_are_left_to_it(value: Any) -> None:
    assert emit_values.spell(value) is None
