"""The compiler evaluates ordinary Python statically: helper functions, comprehensions, builtins,
unpacking, loops that declare steps, star imports of pyspark; and stops, with a located diagnostic,
where evaluating would need running anything else.

Each test reads a small pipeline with `read_pipeline` (never importing or running it) and checks the
`ir.Pipeline` it gives, as if the values had been written literally.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sparkforge.compiler.diagnostics import Diagnostic, render_all
from sparkforge.compiler.read.frontend import read_pipeline
from sparkforge.ir import Pipeline, RuleKind

HEADER = """\
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder
"""


def read(folder: Path, source: str, **siblings: str) -> tuple[Pipeline | None, tuple[Diagnostic, ...]]:
    source = HEADER + textwrap.dedent(source)
    (folder / "pipeline.py").write_text(source)
    for name, text in siblings.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(text))
    return read_pipeline(source, "pipeline.py", base_dir=folder)


def ok(folder: Path, source: str, **siblings: str) -> Pipeline:
    pipeline, diagnostics = read(folder, source, **siblings)
    texts = {p.name: p.read_text() for p in folder.glob("*.py")}
    assert pipeline is not None, render_all(diagnostics, texts)
    return pipeline


def errors(folder: Path, source: str) -> list[tuple[str, int, str]]:
    pipeline, diagnostics = read(folder, source)
    assert pipeline is None
    return [(d.code, d.span.line, d.message) for d in diagnostics if d.is_error]


def rules(pipeline: Pipeline, step: str) -> list[tuple[str, str, object]]:
    found = next(s for s in pipeline.steps if s.name == step)
    return [(r.column, r.name if r.kind is not RuleKind.EXPR else r.source or "", r.args) for r in found.rules]


def test_helpers_build_rules_names_and_settings(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, """
        RAW, (CLEAN, GOLD) = "raw", ["clean", "gold"]
        BASE = dict(schema="shop", min_bronze_rate=90.0)

        def key_rules(*cols, check="not_null"):
            return {c: [check] for c in cols}

        def ranges(**bounds):
            out = {}
            for column, (low, high) in sorted(bounds.items()):
                if low is None:
                    continue
                out[column] = [["between", low, high]]
            return out

        def name(*parts):
            return "_".join(q.lower() for p in parts if (q := p.strip()))

        builder = PipelineBuilder(spark=spark, **{**BASE, "max_parallel_workers": len([1, 2, 3])})
        builder.with_bronze_rules(
            name=name(" Raw ", "", "Orders"),
            rules=key_rules("id", "ts") | ranges(qty=(1, 9), x=(None, 0)),
        )
        builder.with_bronze_rules(name=f"{RAW}_{CLEAN}_{GOLD}", rules=key_rules("id", check="positive"))
    """)
    assert pipeline.settings.schema == "shop"
    assert (pipeline.settings.min_bronze_rate, pipeline.settings.max_parallel_workers) == (90.0, 3)
    assert [s.name for s in pipeline.steps] == ["raw_orders", "raw_clean_gold"]
    assert rules(pipeline, "raw_orders") == [
        ("id", "not_null", ()), ("ts", "not_null", ()), ("qty", "between", (1, 9))
    ]
    assert rules(pipeline, "raw_clean_gold") == [("id", "positive", ())]


def test_column_rules_from_helpers_and_loops_stand_alone(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, """
        from checks import valid_email

        def present(*cols):
            return {c: [F.col(c).isNotNull()] for c in cols}

        builder = PipelineBuilder(spark=spark, schema="shop")
        for table, key in {"orders": "order_id", "users": "user_id"}.items():
            builder.with_bronze_rules(
                name=table, rules={**present(key), "email": [valid_email(F.col("email"))]}
            )
    """, checks="""
        PATTERN = "^.+@.+$"

        def valid_email(column):
            return column.rlike(PATTERN)
    """)
    assert rules(pipeline, "orders") == [
        ("order_id", "F.col('order_id').isNotNull()", ()),
        ("email", 'valid_email(F.col("email"))', ()),
    ]
    assert rules(pipeline, "users")[0] == ("user_id", "F.col('user_id').isNotNull()", ())
    copied = " ".join(block.source for block in pipeline.support)
    assert "def valid_email(column)" in copied and 'PATTERN = "^.+@.+$"' in copied


def test_loop_body_assignments_and_changes_are_followed(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, """
        builder = PipelineBuilder(spark=spark, schema="shop")
        for number, table in enumerate(("a", "b"), start=1):
            checks = {"id": ["not_null"]}
            checks[f"{table}_{number}"] = ["positive"]
            checks.update(ts=["not_null"])
            builder.with_bronze_rules(name=table, rules=checks)
            for layer in ["silver"]:
                builder.add_silver_transform(
                    name=f"{layer}_{table}", transform=lambda spark, df, prior: df, rules={},
                    table_name=f"{layer}_{table}", source_bronze=table,
                )
    """)
    assert [s.name for s in pipeline.steps] == ["a", "silver_a", "b", "silver_b"]
    assert rules(pipeline, "b") == [("id", "not_null", ()), ("b_2", "positive", ()), ("ts", "not_null", ())]


def test_star_import_of_pyspark_functions(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, """
        from pyspark.sql.functions import *

        builder = PipelineBuilder(spark=spark, schema="shop")
        builder.with_bronze_rules(name="a", rules={"id": [col("id").isNotNull()]})
    """)
    assert rules(pipeline, "a") == [("id", 'col("id").isNotNull()', ())]
    assert any(b.source == "from pyspark.sql.functions import col" for b in pipeline.support)


@pytest.mark.parametrize(("code", "expected"), [
    ("def f():\n    return open('x').read()\nS = f()", "'open' is a Python builtin the compiler does not call"),
    ("import os\ndef f():\n    return os.getenv('S')\nS = f()", "it comes from 'os', which is not part of this project"),
    ("def f(n):\n    return f(n + 1)\nS = f(0)", "calls nested more than 40 deep"),
    ("def f():\n    n = 0\n    for i in range(9999):\n        for j in range(9999):\n            n += 1\n    return n\nS = f()",
     "more than 20000 steps"),
    ("def f():\n    while True:\n        pass\nS = f()", "does not evaluate a `while` statement"),
    ("S = 2 ** 100000", "powers above 1000"),
    ("C = {'a': 1}\ndef f():\n    C['b'] = 2\n    return 's'\nS = f()", "a constant of the module"),
])  # fmt: skip
def test_evaluation_is_bounded_and_says_why(tmp_path: Path, code: str, expected: str) -> None:
    found = errors(tmp_path, code + '\nbuilder = PipelineBuilder(spark=spark, schema=S)\n'
                   'builder.with_bronze_rules(name="a", rules={})\n')
    assert any(expected in message for _, _, message in found), found


def test_a_constant_changed_by_a_call_is_reported_there(tmp_path: Path) -> None:
    found = errors(tmp_path, """
        BASE = {"id": ["not_null"]}

        def extend(rules, column):
            rules[column] = ["positive"]

        extend(BASE, "amount")
        builder = PipelineBuilder(spark=spark, schema="shop")
        builder.with_bronze_rules(name="a", rules=BASE)
    """)
    assert [(code, line) for code, line, _ in found] == [("SF112", 9)]


def test_walrus_in_builder_code_binds_the_name(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, """
        def build(spark):
            builder = PipelineBuilder(spark=spark, schema=(schema := "shop"))
            builder.with_bronze_rules(name=(orders := f"{schema}_orders"), rules={})
            builder.add_silver_transform(
                name="clean", transform=lambda spark, df, prior: df, rules={}, table_name="clean",
                source_bronze=orders,
            )
            return builder
    """)
    assert [(s.name, s.source_bronze) for s in pipeline.steps] == [("shop_orders", None), ("clean", "shop_orders")]


def test_indexing_and_slicing_strings_lists_and_tuples(tmp_path: Path) -> None:
    source = (
        "from sparkforge import PipelineBuilder\n"
        'NAMES = ["orders", "users", "refunds"]\n'
        'PREFIX = "shop_2026"\n'
        "builder = PipelineBuilder(spark=spark, schema=PREFIX[:4])\n"
        "for n in NAMES[1:][::-1]:\n"
        "    builder.with_bronze_rules(name=n[0] + n[-3:], rules={})\n"
        "builder.with_bronze_rules(name=NAMES[0][1:-1], rules={})\n"
    )
    pipeline, diagnostics = read_pipeline(source, "pipeline.py", base_dir=tmp_path)
    assert pipeline is not None, diagnostics
    assert pipeline.settings.schema == "shop"
    assert [s.name for s in pipeline.steps] == ["rnds", "uers", "rder"]
    bad = source.replace("PREFIX[:4]", "PREFIX[:1.5]")
    _, diagnostics = read_pipeline(bad, "pipeline.py", base_dir=tmp_path)
    assert [d.code for d in diagnostics if d.is_error] == ["SF111"]
    assert "needs whole numbers as bounds" in diagnostics[0].message


@pytest.mark.parametrize(("use", "says"), [
    ("Tables.RAW", "is an enum member; the compiler reads its `.value` or `.name`"),
    ("Tables.RAW.label", "`Tables.RAW` is an enum member; the compiler reads its `.value` or `.name`"),
    ("Settings.MISSING", "class 'Settings' has no attribute 'MISSING'"),
    ("Settings.TWICE", "Settings.TWICE is not assigned once in the class body"),
    ("Settings().SCHEMA", "it is a class; the compiler does not create objects"),
])  # fmt: skip
def test_class_namespaces_that_cannot_be_read_are_located(tmp_path: Path, use: str, says: str) -> None:
    source = (
        "from enum import Enum\n"
        "from sparkforge import PipelineBuilder\n"
        "class Tables(str, Enum):\n"
        '    RAW = "raw"\n'
        "class Settings:\n"
        '    SCHEMA = "shop"\n'
        "    TWICE = 1\n"
        "    TWICE = 2\n"
        'builder = PipelineBuilder(spark=spark, schema="shop")\n'
        f"builder.with_bronze_rules(name={use}, rules={{}})\n"
    )
    _, diagnostics = read_pipeline(source, "pipeline.py", base_dir=tmp_path)
    errors = [d for d in diagnostics if d.is_error]
    assert [(d.code, d.span.line) for d in errors] == [("SF111", 10)], errors
    assert says in errors[0].message
