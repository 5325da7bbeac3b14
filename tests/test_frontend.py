"""The compiler frontend reads every supported way of writing builder code into the expected ir.Pipeline.

Each test writes a small pipeline (and sibling modules) into a temporary folder and reads it with
`read_pipeline`, never importing or running it.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sparkforge.compiler.diagnostics import Diagnostic, Severity, render_all
from sparkforge.compiler.read.frontend import read_pipeline
from sparkforge.ir import Bound, Layer, Pipeline, RuleKind, WriteMode

HEADER = """\
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder
"""


def read(folder: Path, source: str, **siblings: str) -> tuple[Pipeline | None, tuple[Diagnostic, ...]]:
    header = HEADER if source.startswith(HEADER) else ""
    source = header + textwrap.dedent(source[len(header):])
    (folder / "pipeline.py").write_text(source)
    for name, text in siblings.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(text))
    return read_pipeline(source, "pipeline.py", base_dir=folder)


def ok(folder: Path, source: str, **siblings: str) -> Pipeline:
    pipeline, diagnostics = read(folder, source, **siblings)
    texts = {p.name: p.read_text() for p in folder.glob("*.py")}
    assert pipeline is not None, render_all(diagnostics, texts)
    assert not [d for d in diagnostics if d.is_error]
    return pipeline


def test_fluent_chain(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        def clean(spark, bronze_df, prior_silvers):
            return bronze_df.filter(F.col("id").isNotNull())

        def daily(spark, silvers):
            return silvers["clean"].groupBy("day").count()

        runner = (
            PipelineBuilder(spark=spark, schema="shop", min_bronze_rate=90, verbose=False,
                            table_format="parquet", pipeline_name="shop", log_table="ops.logs")
            .with_bronze_rules(name="events", rules={"id": ["not_null"]}, incremental_col="ts")
            .add_silver_transform(name="clean", transform=clean, rules={"id": ["not_null"]},
                                  table_name="clean_t", watermark_col="ts", schema="silver")
            .add_gold_transform(name="daily", transform=daily, rules={}, table_name="daily_t")
            .to_pipeline()
        )
    """)
    settings = pipeline.settings
    assert (settings.schema, settings.min_bronze_rate, settings.verbose) == ("shop", 90.0, False)
    assert (settings.table_format, settings.pipeline_name, settings.log_table) == ("parquet", "shop", "ops.logs")
    assert [(s.name, s.layer) for s in pipeline.steps] == [
        ("events", Layer.BRONZE), ("clean", Layer.SILVER), ("daily", Layer.GOLD)]
    events, clean, daily = pipeline.steps
    assert events.incremental_col == "ts"
    assert (clean.table_name, clean.schema, clean.watermark_col) == ("clean_t", "silver", "ts")
    assert clean.source_bronze == "events"  # inferred: the most recent bronze
    assert daily.source_silvers == ("clean",)  # inferred: every silver so far
    assert clean.transform is not None and clean.transform.name == "clean"
    assert clean.transform.source == (
        'def clean(spark, bronze_df, prior_silvers):\n    return bronze_df.filter(F.col("id").isNotNull())')
    assert clean.transform.span is not None and clean.transform.span.line == 4
    assert [b.source for b in pipeline.support] == ["from pyspark.sql import functions as F"]
    assert pipeline.source_file == "pipeline.py" and len(pipeline.source_hash) == 64


def test_statements_on_a_variable(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        builder = PipelineBuilder(spark=spark, schema="shop")
        builder.with_bronze_rules(name="a", rules={"id": ["not_null"]})
        builder = builder.with_bronze_rules(name="b", rules={"id": ["not_null"]})
        builder.add_silver_transform(name="s", transform=lambda spark, df, prior: df,
                                     rules={}, table_name="s", source_bronze="a")
        builder.enable_unified_execution(max_workers=6)
        pipeline = builder.to_pipeline()
        pipeline.run_initial_load(bronze_sources={})
    """)
    assert pipeline.names() == ("a", "b", "s")
    assert pipeline.step("s").source_bronze == "a"
    assert pipeline.settings.unified_execution and pipeline.settings.max_parallel_workers == 6


def test_inside_a_function_with_local_constants(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        BASE = "shop"

        def build(spark):
            schema = f"{BASE}_prod"
            limit = 10
            builder = PipelineBuilder(spark=spark, schema=schema)
            builder.with_bronze_rules(name="orders", rules={"amount": [["lt", limit]]})
            builder.add_silver_transform(
                name="big", rules={}, table_name="big",
                transform=lambda spark, df, prior: df.filter(F.col("amount") > limit),
            )
            return builder
    """)
    assert pipeline.settings.schema == "shop_prod"
    assert pipeline.step("orders").rules[0].args == (10,)
    sources = [b.source for b in pipeline.support]
    assert sources == ["from pyspark.sql import functions as F", "limit = 10"]


def test_copied_code_carries_the_names_it_binds(tmp_path: Path) -> None:
    """The backend names the job around these, so it never parses the user's code again."""
    pipeline = ok(tmp_path, HEADER + """
        import os.path
        import pyspark.sql.types as T
        from pyspark.sql.functions import col as c, lit

        LO, HI = 1, 5

        def stamp(df):
            return df.withColumn("at", lit(os.path.sep)).withColumn("t", F.lit(None).cast(T.StringType()))

        builder = PipelineBuilder(spark=spark, schema="shop")
        builder.with_bronze_rules(name="a", rules={})
        builder.add_silver_transform(name="s", rules={}, table_name="s", source_bronze="a",
            transform=lambda spark, df, prior: stamp(df).filter(c("n").between(LO, HI)))
    """)
    assert {b.source: b.binds for b in pipeline.support} == {
        "import os.path": (Bound("os", "os"),),
        "import pyspark.sql.types as T": (Bound("T", "pyspark.sql.types"),),
        "from pyspark.sql.functions import col as c, lit": (
            Bound("c", "pyspark.sql.functions.col"), Bound("lit", "pyspark.sql.functions.lit")),
        "from pyspark.sql import functions as F": (Bound("F", "pyspark.sql.functions"),),
        "LO, HI = 1, 5": (Bound("LO"), Bound("HI")),
        'def stamp(df):\n    return df.withColumn("at", lit(os.path.sep)).withColumn("t", F.lit(None).cast(T.StringType()))': (
            Bound("stamp"),),
    }


def test_main_guard_counts_as_module_level(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        if __name__ == "__main__":
            builder = PipelineBuilder(spark=spark, schema="shop")
            builder.with_bronze_rules(name="a", rules={})
    """)
    assert pipeline.names() == ("a",)


@pytest.mark.parametrize(
    ("preset", "rates", "verbose", "parallel", "workers"),
    [
        ("for_development", (80.0, 85.0, 90.0), True, True, 2),
        ("for_production", (95.0, 98.0, 99.0), False, True, 8),
        ("for_testing", (70.0, 75.0, 80.0), True, False, 1),
    ],
)
def test_presets(tmp_path: Path, preset: str, rates: tuple[float, ...], verbose: bool,
                 parallel: bool, workers: int) -> None:
    pipeline = ok(tmp_path, HEADER + f"""
        builder = PipelineBuilder.{preset}(spark=spark, schema="s")
        builder.with_bronze_rules(name="a", rules={{}})
    """)
    s = pipeline.settings
    assert (s.min_bronze_rate, s.min_silver_rate, s.min_gold_rate) == rates
    assert (s.verbose, s.enable_parallel_silver, s.max_parallel_workers) == (verbose, parallel, workers)


def test_preset_overrides(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        OPTIONS = {"min_gold_rate": 50, "verbose": False}
        builder = PipelineBuilder.for_production(spark, "s", max_parallel_workers=3, **OPTIONS)
        builder.with_bronze_rules("a", {})
    """)
    s = pipeline.settings
    assert (s.min_bronze_rate, s.min_gold_rate, s.verbose, s.max_parallel_workers) == (95.0, 50.0, False, 3)


@pytest.mark.parametrize(
    ("imports", "make"),
    [
        ("from sparkforge import PipelineBuilder as PB", "PB"),
        ("import sparkforge", "sparkforge.PipelineBuilder"),
        ("import sparkforge as sf", "sf.PipelineBuilder.for_testing"),
        ("from sparkforge.builder import PipelineBuilder", "PipelineBuilder"),
    ],
)
def test_import_forms(tmp_path: Path, imports: str, make: str) -> None:
    pipeline = ok(tmp_path, f"""
        {imports}
        builder = {make}(spark=spark, schema="s").with_bronze_rules(name="a", rules={{}})
    """)
    assert pipeline.names() == ("a",)


def test_values_constants_fstrings_and_positional_arguments(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        from sparkforge.models import WriteMode
        ENV = "prod"
        TABLE = "orders" + "_" + ENV
        NAMES = ("orders", f"{ENV}_{TABLE!s:>5}")
        KEYS = ["id"]
        builder = PipelineBuilder(spark=spark, schema=f"{ENV}_shop")
        builder.with_bronze_rules(NAMES[0], {}, "ts", "raw orders")
        builder.add_silver_transform(
            NAMES[1], lambda s, d, p: d, {}, TABLE, write_mode=WriteMode.MERGE, merge_keys=KEYS,
            filter_columns_by_rules=False, depends_on=[],
        )
        builder.add_gold_transform("g", lambda s, silvers: silvers["prod_orders_prod"], {}, "g",
                                   write_mode="append")
    """)
    assert pipeline.settings.schema == "prod_shop"
    bronze, silver, gold = pipeline.steps
    assert (bronze.name, bronze.incremental_col, bronze.description) == ("orders", "ts", "raw orders")
    assert (silver.name, silver.table_name) == ("prod_orders_prod", "orders_prod")
    assert (silver.write_mode, silver.merge_keys, silver.filter_columns_by_rules) == (
        WriteMode.MERGE, ("id",), False)
    assert gold.write_mode is WriteMode.APPEND


def test_rule_forms(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        BASE = {"id": ["not_null"]}
        MORE = {"amount": ["positive", ["lt", 1e6]], "status": ["in", ["new", "paid"]]}
        BOTH = {**BASE, **MORE, "note": []}
        VALID = F.col("ok") == True
        builder = PipelineBuilder(spark=spark, schema="s")
        builder.with_bronze_rules(name="a", rules=BOTH)
        builder.with_bronze_rules(name="b", rules=BASE | {"ts": ["ts > '2020-01-01' AND ts < now()"]})
        builder.with_bronze_rules(name="c", rules={
            "x": [F.col("x").isNotNull(), (F.col("x") > 0) & (F.col("x") < 10)],
            "s": [F.col("s").isin("a", "b"), VALID],
            "w": [F.when(F.col("w") > 1, True).otherwise(False)],
            "r": [["between", 1, 5], ["like", "A%"]],
        })
    """)
    a, b, c = pipeline.steps
    assert [(r.column, r.kind, r.name, r.args) for r in a.rules] == [
        ("id", RuleKind.SHORTHAND, "not_null", ()),
        ("amount", RuleKind.SHORTHAND, "positive", ()),
        ("amount", RuleKind.OPERATOR, "lt", (1e6,)),
        ("status", RuleKind.OPERATOR, "in", (["new", "paid"],)),
    ]
    assert a.unchecked_columns == ("note",)
    assert [(r.kind, r.args) for r in b.rules][1] == (RuleKind.SQL, ("ts > '2020-01-01' AND ts < now()",))
    assert [r.source for r in c.rules if r.kind is RuleKind.EXPR] == [
        'F.col("x").isNotNull()', '(F.col("x") > 0) & (F.col("x") < 10)', 'F.col("s").isin("a", "b")',
        'F.col("ok") == True', 'F.when(F.col("w") > 1, True).otherwise(False)']
    assert [r.name for r in c.rules if r.column == "r"] == ["between", "like"]
    assert c.rules[0].span is not None and c.rules[0].span.line == 12
    assert [b.source for b in pipeline.support] == ["from pyspark.sql import functions as F"]


@pytest.mark.parametrize(
    ("helper", "items"),
    [
        ("not_null_rules", ["not_null"]),
        ("positive_number_rules", ["positive"]),
        ("string_not_empty_rules", ["not_empty"]),
        ("timestamp_rules", ["not_null"]),
    ],
)
def test_rule_helpers_expand_like_the_builder(tmp_path: Path, helper: str, items: list[str]) -> None:
    from sparkforge import rule_helpers

    pipeline = ok(tmp_path, HEADER + f"""
        builder = PipelineBuilder(spark=spark, schema="s")
        builder.with_bronze_rules(name="a", rules={{**PipelineBuilder.{helper}(["x", "y"]), "z": ["not_null"]}})
    """)
    expected = {**getattr(rule_helpers, helper)(["x", "y"]), "z": ["not_null"]}
    got: dict[str, list[str]] = {}
    for rule in pipeline.steps[0].rules:
        got.setdefault(rule.column, []).append(rule.name)
    assert got == expected and got["x"] == items


def test_sibling_module_transforms_and_transitive_helpers(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "__init__.py").write_text("")
    (tmp_path / "lib" / "text.py").write_text("import re\n\nPATTERN = re.compile('x')\n\n\ndef norm(s):\n    return PATTERN.sub('', s)\n")
    pipeline = ok(tmp_path, HEADER + """
        import transforms
        from transforms import clean
        from .transforms import enrich as enrich_step

        builder = PipelineBuilder(spark=spark, schema="s")
        builder.with_bronze_rules(name="a", rules={})
        builder.add_silver_transform(name="one", transform=clean, rules={}, table_name="one")
        builder.add_silver_transform(name="two", transform=transforms.clean, rules={}, table_name="two")
        builder.add_silver_transform(name="three", transform=enrich_step, rules={}, table_name="three")
    """, transforms="""
        from pyspark.sql import functions as F, types as T
        from sparkforge import PipelineBuilder
        from lib.text import norm

        LIMIT = 10
        UNUSED = 1


        def helper(df):
            return df.filter(F.col("n") > LIMIT)


        def clean(spark, bronze_df, prior_silvers):
            return helper(bronze_df).withColumn("n", F.lit(norm("a")))


        # enrich keeps every row
        def enrich(spark, bronze_df, prior_silvers):
            return helper(bronze_df)
    """)
    one, two, three = pipeline.steps[1:]
    assert one.transform is not None and two.transform is not None and three.transform is not None
    assert one.transform.source == two.transform.source
    assert three.transform.name == "enrich"
    assert three.transform.source.startswith("# enrich keeps every row\ndef enrich(")
    assert three.transform.span is not None and three.transform.span.file == "transforms.py"
    assert [(b.name, b.span.file if b.span else None) for b in pipeline.support] == [
        ("re", "lib/text.py"), ("F", "transforms.py"),
        ("PATTERN", "lib/text.py"), ("norm", "lib/text.py"),
        ("LIMIT", "transforms.py"), ("helper", "transforms.py"),
    ]
    assert pipeline.support[1].source == "from pyspark.sql import functions as F"


def test_annotations_and_type_checking_imports(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, """
        from __future__ import annotations

        from typing import TYPE_CHECKING

        from sparkforge import PipelineBuilder

        if TYPE_CHECKING:
            from pyspark.sql import DataFrame, SparkSession

        def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
            return bronze_df

        builder = PipelineBuilder(spark=spark, schema="s").with_bronze_rules(name="a", rules={})
        builder.add_silver_transform(name="s", transform=clean, rules={}, table_name="s")
    """)
    assert [b.source for b in pipeline.support] == ["from pyspark.sql import DataFrame, SparkSession"]


def test_undeclared_reads_become_dependencies_with_a_warning(tmp_path: Path) -> None:
    pipeline, diagnostics = read(tmp_path, HEADER + """
        def customers(spark, bronze_df, prior_silvers):
            return bronze_df

        def orders(spark, bronze_df, prior_silvers):
            return bronze_df.join(prior_silvers["customers"], "id")

        builder = PipelineBuilder(spark=spark, schema="s")
        builder.with_bronze_rules(name="raw", rules={})
        builder.add_silver_transform(name="orders", transform=orders, rules={}, table_name="o")
        builder.add_silver_transform(name="customers", transform=customers, rules={}, table_name="c")
        builder.add_gold_transform(name="g", transform=lambda spark, silvers: silvers.get("orders"),
                                   rules={}, table_name="g", source_silvers=["customers"])
    """)
    assert pipeline is not None
    assert pipeline.step("orders").depends_on == ("customers",)
    assert pipeline.step("g").source_silvers == ("customers", "orders")
    assert [(d.code, d.severity, d.span.line) for d in diagnostics] == [
        ("SF304", Severity.WARNING, 8), ("SF304", Severity.WARNING, 14)]
    assert diagnostics[0].help == "declare it: depends_on=['customers']"


def test_existing_silver_tables(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        builder = PipelineBuilder(spark=spark, schema="s")
        builder.with_silver_rules(name="dim", table_name="dim_t", rules={"id": ["not_null"]})
        builder.add_gold_transform(name="g", transform=lambda spark, silvers: silvers["dim"],
                                   rules={}, table_name="g")
    """)
    dim, gold = pipeline.steps
    assert dim.existing and dim.layer is Layer.SILVER and dim.source_bronze is None
    assert gold.source_silvers == ("dim",)


def test_many_steps(tmp_path: Path) -> None:
    lines = [HEADER, "builder = PipelineBuilder(spark=spark, schema='s')"]
    for i in range(100):
        lines.append(f"builder.with_bronze_rules(name='b{i}', rules={{'id': ['not_null']}})")
        lines.append(f"def t{i}(spark, df, prior):\n    return df\n")
        lines.append(f"builder.add_silver_transform(name='s{i}', transform=t{i}, rules={{}}, table_name='s{i}')")
        lines.append(f"builder.add_gold_transform(name='g{i}', transform=lambda spark, silvers: silvers['s{i}'], rules={{}}, table_name='g{i}', source_silvers=['s{i}'])")
    pipeline = ok(tmp_path, "\n".join(lines))
    assert len(pipeline.steps) == 300
    assert pipeline.step("s99").source_bronze == "b99"


def test_signatures_match_the_runtime_builder() -> None:
    from sparkforge.builder import PipelineBuilder
    from sparkforge.compiler.read.signatures import CONSTRUCTOR, OTHER_METHODS, STEP_METHODS

    def params(func: object) -> tuple[str, ...]:
        return tuple(p for p in inspect.signature(func).parameters if p not in ("self", "kwargs"))  # type: ignore[arg-type]

    assert params(PipelineBuilder.__init__) == CONSTRUCTOR.params
    for name, signature in {**STEP_METHODS, **OTHER_METHODS}.items():
        assert params(getattr(PipelineBuilder, name)) == signature.params, name


@pytest.mark.parametrize(
    "value",
    [["gt", 0], ["not_null", "positive"], ["between", 1, 5], ["greater", 0], ["in", ["a"]],
     ["not_null", ["gt", 1]], ["x > 0", "y > 1"], ["like", "A%"], ["positive", 5]],
)
def test_item_splitting_matches_the_rule_parser(tmp_path: Path, value: list[object]) -> None:
    from sparkforge.exceptions import SparkForgeError
    from sparkforge.rules import parse_rules

    pipeline, diagnostics = read(tmp_path, HEADER + f"""
        builder = PipelineBuilder(spark=spark, schema="s").with_bronze_rules(name="a", rules={{"c": {value!r}}})
    """)
    try:
        expected = [(r.kind, r.name, r.args) for r in parse_rules({"c": value}, step="a", layer="bronze")]
    except SparkForgeError:
        assert pipeline is None and diagnostics
        return
    assert pipeline is not None
    assert [(r.kind, r.name, r.args) for r in pipeline.steps[0].rules] == expected


def test_output_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    source = HEADER + """
        from transforms import clean
        builder = PipelineBuilder(spark=spark, schema="s")
        builder.with_bronze_rules(name="a", rules={"id": ["not_null"], "x": [F.col("x") > 0]})
        builder.add_silver_transform(name="s", transform=clean, rules={}, table_name="s")
    """
    read(tmp_path, source, transforms="import os, sys\nfrom pyspark.sql import functions as F\nA = 1\nB = 2\n\n"
         "def clean(spark, df, prior):\n    return df.filter(F.col('a') > A + B).select(os.sep, sys.argv)\n")
    script = (
        "import pathlib, sys; from sparkforge.compiler.read.frontend import read_pipeline; "
        "p = pathlib.Path(sys.argv[1]); print(repr(read_pipeline((p / 'pipeline.py').read_text(), "
        "'pipeline.py', base_dir=p)))"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                       check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_nested_transform_and_sibling_constants(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        from settings import SCHEMA, RULES

        def build(spark):
            floor = 3

            def clean(spark, bronze_df, prior_silvers):
                return bronze_df.filter(F.col("n") > floor)

            builder = PipelineBuilder(spark=spark, schema=SCHEMA)
            builder.with_bronze_rules(name="a", rules=RULES)
            builder.add_silver_transform(name="s", transform=clean, rules={}, table_name="s")
            return builder
    """, settings="""
        BASE = "shop"
        SCHEMA = f"{BASE}_v2"
        RULES = {"id": ["not_null"]}
    """)
    assert pipeline.settings.schema == "shop_v2"
    assert pipeline.steps[0].rules[0].span is not None and pipeline.steps[0].rules[0].span.file == "settings.py"
    transform = pipeline.steps[1].transform
    assert transform is not None and transform.source.startswith("def clean(spark, bronze_df, prior_silvers):\n    return")
    assert [b.source for b in pipeline.support] == ["from pyspark.sql import functions as F", "floor = 3"]


ODD_INPUTS = [
    "",
    "# only a comment\n",
    "\ufeff" + HEADER + "b = PipelineBuilder(spark=spark, schema='s')\n",
    HEADER + "b = PipelineBuilder(*[], **{})\n",
    HEADER + "b = PipelineBuilder(spark, 's').with_bronze_rules('a', {['x']: 1})\n",
    HEADER + "b = PipelineBuilder(spark, 's').with_bronze_rules('a', {'x': [['in', {1, 'a'}]]})\n",
    HEADER + "b = PipelineBuilder(spark, 's').with_bronze_rules(1 / 0, {})\n",
    HEADER + "b = PipelineBuilder(spark, 's').with_bronze_rules(f'{x=}', {})\n",
    HEADER + "b = PipelineBuilder(spark, 's').with_bronze_rules((yield), {})\n",
    HEADER + "b = PipelineBuilder(spark, 's').with_bronze_rules('a', {'x': [F.col]})\n",
    HEADER + "A = A\nb = PipelineBuilder(spark, A)\n",
    HEADER + "b = PipelineBuilder.for_testing(spark, 's', **{3: 4})\n",
    HEADER + "class K:\n    b = PipelineBuilder(spark=spark, schema='s')\n",
    HEADER + "b = [PipelineBuilder(spark=spark, schema='s') for _ in range(2)]\n",
    HEADER + "async def t(s, d, p):\n    return d\nb = PipelineBuilder(spark, 's').with_bronze_rules('a', {})"
    ".add_silver_transform('s', t, {}, 't')\n",
    HEADER + "def t(*a):\n    nonlocal z\nb = PipelineBuilder(spark, 's').with_bronze_rules('a', {})"
    ".add_silver_transform('s', t, {}, 't')\n",
]


@pytest.mark.parametrize("source", ODD_INPUTS)
def test_odd_input_never_raises(source: str) -> None:
    pipeline, diagnostics = read_pipeline(source, "pipeline.py", base_dir=None)
    assert pipeline is None and any(d.is_error for d in diagnostics)


def test_reading_needs_no_java(tmp_path: Path) -> None:
    """The frontend imports pyspark modules but never starts a JVM: no `java` on PATH is fine."""
    read(tmp_path, HEADER + """
        def clean(spark, bronze_df, prior_silvers):
            return bronze_df.filter(F.col("id") > 0)

        builder = PipelineBuilder(spark=spark, schema="s").with_bronze_rules(name="a", rules={})
        builder.add_silver_transform(name="s", transform=clean, rules={"id": [F.col("id") > 0]},
                                     table_name="s")
    """)
    script = (
        "import pathlib, sys; from sparkforge.compiler.read.frontend import read_pipeline; "
        "f = pathlib.Path(sys.argv[1]); p, d = read_pipeline(f.read_text(), 'pipeline.py', "
        "base_dir=f.parent); assert p is not None and not d, d; print(len(p.steps))"
    )
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "pipeline.py")],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"


def test_a_transform_named_top_reads_its_own_parameters(tmp_path: Path) -> None:
    # Python 3.11's symtable takes a function named `top` for the module: its parameters are not
    # free names of the code the job copies.
    pipeline = ok(tmp_path, HEADER + """
        LIMIT = 5

        def top(spark, silvers):
            return silvers["clean"].orderBy(F.desc("amount")).limit(LIMIT)

        builder = PipelineBuilder(spark=spark, schema="shop")
        builder.with_bronze_rules(name="orders", rules={"id": ["not_null"]})
        builder.add_silver_transform(name="clean", source_bronze="orders", transform=lambda s, df, p: df,
                                     rules={"id": ["not_null"]}, table_name="clean")
        builder.add_gold_transform(name="top", transform=top, rules={}, table_name="top_orders")
    """)
    assert [b.name for b in pipeline.support] == ["F", "LIMIT"]


def test_functools_partial_binds_literals(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        import functools

        KEY = "order_id"

        def dedupe(spark, bronze_df, prior_silvers, *, key, also=()):
            return bronze_df.dropDuplicates([key, *also])

        def ranked(n, spark, silvers):
            return silvers["clean"].limit(n)

        builder = PipelineBuilder(spark=spark, schema="shop")
        builder.with_bronze_rules(name="orders", rules={"id": ["not_null"]})
        builder.add_silver_transform(name="clean", source_bronze="orders", rules={}, table_name="clean",
                                     transform=functools.partial(dedupe, key=KEY, also=["ts"]))
        builder.add_gold_transform(name="top", transform=functools.partial(ranked, 3), rules={},
                                   table_name="top_orders")
    """)
    clean, top = pipeline.step("clean").transform, pipeline.step("top").transform
    assert clean is not None and top is not None
    assert (clean.name, clean.args, clean.kwargs) == ("dedupe", (), (("key", "order_id"), ("also", ["ts"])))
    assert (top.name, top.args, top.kwargs) == ("ranked", (3,), ())


@pytest.mark.parametrize(("transform", "code", "says"), [
    ("functools.partial(dedupe, key=F.col('id'))", "SF301", "binds `key=F.col('id')`, which is not a literal"),
    ("functools.partial(dedupe)", "SF303", "takes 4 parameter(s)"),
    ("functools.partial(dedupe, spark=None, key='id')", "SF303", "binds spark, which the call passes itself"),
    ("functools.partial(two, key='id')", "SF303", "needs other, which nothing passes"),
    ("functools.partial(key='id')", "SF301", "needs the transform function as its first argument"),
    ("make_clean('id')", "SF301", "transform is the result of a call"),
])  # fmt: skip
def test_functools_partial_mistakes_are_located(tmp_path: Path, transform: str, code: str, says: str) -> None:
    _, diagnostics = read(tmp_path, HEADER + f"""
        import functools

        def dedupe(spark, df, prior, key):
            return df.dropDuplicates([key])

        def two(spark, df, prior, key, other):
            return df

        def make_clean(key):
            return dedupe

        builder = PipelineBuilder(spark=spark, schema="shop")
        builder.with_bronze_rules(name="orders", rules={{"id": ["not_null"]}})
        builder.add_silver_transform(name="clean", source_bronze="orders", rules={{}}, table_name="clean",
                                     transform={transform})
    """)
    errors = [d for d in diagnostics if d.is_error]
    assert [d.code for d in errors] == [code], errors
    assert says in errors[0].message
    assert errors[0].span.line in (6, 9, 18)  # the function's name, or the argument that binds it


def test_parameters_of_the_builder_function_with_defaults(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        PREFIX = "raw"

        def build(spark, schema: str = "shop", rate=PREFIX and 97.5, *, source=f"{PREFIX}_orders"):
            builder = PipelineBuilder(spark=spark, schema=schema, min_silver_rate=rate)
            builder.with_bronze_rules(name=source, rules={"id": ["not_null"]})
            return builder
    """)
    assert pipeline.settings.schema == "shop"
    assert pipeline.settings.min_silver_rate == 97.5
    assert [s.name for s in pipeline.steps] == ["raw_orders"]


def test_steps_declared_in_functions_the_builder_is_passed_to(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        SOURCES = {"orders": "order_id", "users": "user_id"}

        def clean(spark, df, prior):
            return df

        def add_source(builder, name, key, *, incremental=None):
            rules = {key: ["not_null"]}
            builder.with_bronze_rules(name=name, rules=rules, incremental_col=incremental)
            rules = {**rules, "positive": [F.col(key) > 0]}
            return builder.add_silver_transform(name=f"clean_{name}", source_bronze=name, transform=clean,
                                                rules=rules, table_name=f"clean_{name}")

        def add_all(b):
            add_source(b, "orders", SOURCES["orders"], incremental="ts")
            b = add_source(b, "users", key=SOURCES["users"])
            return b

        def build(spark):
            builder = PipelineBuilder(spark=spark, schema="shop")
            builder = add_all(builder)
            for name in ("refunds",):
                add_source(builder, name, f"{name[:-1]}_id")
            builder.add_gold_transform(name="g", source_silvers=["clean_orders"], rules={}, table_name="g",
                                       transform=lambda spark, silvers: silvers["clean_orders"])
            return builder
    """)
    steps = {s.name: s for s in pipeline.steps}
    assert list(steps) == ["orders", "clean_orders", "users", "clean_users", "refunds", "clean_refunds", "g"]
    assert steps["orders"].incremental_col == "ts" and steps["users"].incremental_col is None
    assert [r.column for r in steps["clean_refunds"].rules] == ["refund_id", "positive"]
    assert steps["clean_users"].rules[1].source == "F.col('user_id') > 0"  # the key, as it was for this call


def test_a_bad_value_in_a_function_the_builder_is_passed_to_is_located(tmp_path: Path) -> None:
    _, diagnostics = read(tmp_path, HEADER + """
        def add_source(builder, name, rate):
            builder.with_bronze_rules(name=name, rules={"id": ["not_null"]})
            builder.add_silver_transform(name=f"clean_{name}", source_bronze=name, rules={}, table_name=name * rate,
                                         transform=lambda s, df, p: df)

        builder = PipelineBuilder(spark=spark, schema="shop")
        add_source(builder, "orders", open("rate.txt").read())
    """)
    errors = [d for d in diagnostics if d.is_error]
    assert [(d.code, d.span.line) for d in errors] == [("SF111", 10)], errors  # at the argument


def test_functions_that_declare_steps_take_star_arguments(tmp_path: Path) -> None:
    pipeline = ok(tmp_path, HEADER + """
        def add_one(builder, **options):
            builder.with_bronze_rules(rules={"id": ["not_null"]}, **options)

        def add_pair(builder, *names, **options):
            builder.with_bronze_rules(name=names[0], rules={"id": ["not_null"]}, **options)
            builder.with_bronze_rules(name=names[1], rules={"id": ["not_null"]})

        builder = PipelineBuilder(spark=spark, schema="shop")
        add_one(builder, name="orders", incremental_col="ts")
        add_pair(builder, "a", "b", incremental_col="ts2")
    """)
    assert [(s.name, s.incremental_col) for s in pipeline.steps] == [("orders", "ts"), ("a", "ts2"), ("b", None)]
