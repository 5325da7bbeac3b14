"""Code generation on hand-built pipeline models: rules, steps, naming, the job's shape.

The rule tests run against the shared Spark session: the expression text the compiler writes must
give the same Column as `sparkforge_runtime.rules` builds, for every shorthand and operator.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import sys
import types
import zipfile
from typing import Any

import pytest
from sparkforge.compiler.diagnostics import CompileError
from sparkforge.compiler.emit.emit_rules import (
    OPERATOR_EXPRESSIONS,
    SHORTHAND_EXPRESSIONS,
    emit_rule,
)
from sparkforge.compiler.emit.format_source import format_source
from sparkforge.compiler.emit.generate_job import generate_job
from sparkforge.compiler.emit.job_context import GenerateOptions
from sparkforge.compiler.emit.literals import docstring, literal
from sparkforge.compiler.emit.runtime_zip import runtime_zip_bytes
from sparkforge.ir import (
    Bound,
    CodeBlock,
    Layer,
    Pipeline,
    Plan,
    RuleKind,
    RuleSpec,
    Settings,
    Span,
    Step,
    Transform,
)
from sparkforge.step_plan import plan_step

OPTIONS = GenerateOptions(compiled_with="0.1.0", runtime_requires=">=0.1.0,<0.2")
ALLOWED_TOP_LEVEL = {"pyspark", "delta", "sparkforge_runtime", *sys.stdlib_module_names}

# (operator, arguments) covering every operator, and the literal types each one takes.
OPERATOR_CASES = [
    ("gt", (0,)), ("gte", (1.5,)), ("lt", (100,)), ("lte", (-2,)),
    ("eq", ("paid",)), ("eq", (True,)), ("eq", (None,)), ("ne", (0,)), ("ne", (False,)),
    ("in", (["a", "b"],)), ("in", ((1, 2),)), ("not_in", (["x"],)),
    ("like", ("A%",)), ("between", (1, 10)), ("between", ("a", "m")),
]  # fmt: skip


def span(line: int, file: str = "pipeline.py") -> Span:
    return Span(file, line, 0)


def clean_transform() -> Transform:
    source = "def clean(spark, df, prior):\n    return df.filter(F.col('amount') > MIN_AMOUNT)\n"
    return Transform("clean", source=source, span=span(12))


def shop(**settings: Any) -> Pipeline:
    steps = (
        Step("orders", Layer.BRONZE, span=span(20), incremental_col="updated_at",
             rules=(RuleSpec("id", RuleKind.SHORTHAND, "not_null"),
                    RuleSpec("amount", RuleKind.OPERATOR, "gt", (0,)))),
        Step("customers", Layer.BRONZE, span=span(24),
             rules=(RuleSpec("cid", RuleKind.SQL, "sql", ("cid IS NOT NULL AND cid > 0",)),)),
        Step("clean_orders", Layer.SILVER, span=span(28), table_name="clean_orders",
             source_bronze="orders", watermark_col="updated_at", transform=clean_transform(),
             description="Drops test orders.\nKeeps the rest.",
             rules=(RuleSpec("amount", RuleKind.EXPR, "expr", source='F.col("amount") < 1e6'),)),
        Step("daily", Layer.GOLD, span=span(40), table_name="daily", source_silvers=("clean_orders",),
             transform=Transform("<lambda>", span=span(40),
                                 source="lambda spark, silvers: silvers['clean_orders'].groupBy('d').count()"),
             rules=(RuleSpec("count", RuleKind.SHORTHAND, "non_negative"),)),
    )  # fmt: skip
    support = (
        CodeBlock("F", "from pyspark.sql import functions as F", span(3), (Bound("F", "pyspark.sql.functions"),)),
        CodeBlock("MIN_AMOUNT", "MIN_AMOUNT = 10", span(9), (Bound("MIN_AMOUNT"),)),
    )
    base = Settings(schema="shop", pipeline_name="shop_orders")
    return Pipeline(dataclasses.replace(base, **settings), steps, support, "pipeline.py", "ab" * 32)


def plan_of(pipeline: Pipeline) -> Plan:
    from sparkforge.graph import plan_stages

    return plan_stages(pipeline)


def compile_ir(pipeline: Pipeline, options: GenerateOptions = OPTIONS) -> str:
    return format_source(generate_job(plan_of(pipeline), options))


def error_code(pipeline: Pipeline) -> str:
    with pytest.raises(CompileError) as caught:
        generate_job(plan_of(pipeline), OPTIONS)
    return caught.value.diagnostic.code


# --- rules: the emitted text and the runtime build the same Column --------------------------------


def _eval_rule(spec: RuleSpec) -> Any:
    from pyspark.sql import functions as F
    from sparkforge_runtime.rules import Rule

    return eval(emit_rule(spec), {"F": F, "Rule": Rule})


def test_templates_cover_every_runtime_rule() -> None:
    from sparkforge.rule_columns import OPERATORS, SHORTHANDS

    assert set(SHORTHAND_EXPRESSIONS) == set(SHORTHANDS)
    assert set(OPERATOR_EXPRESSIONS) == set(OPERATORS)
    assert {op for op, _ in OPERATOR_CASES} == set(OPERATORS)


@pytest.mark.parametrize("name", sorted(SHORTHAND_EXPRESSIONS))
def test_shorthand_matches_runtime(spark: Any, name: str) -> None:
    from sparkforge.rule_columns import rule_from_shorthand

    emitted = _eval_rule(RuleSpec("amount", RuleKind.SHORTHAND, name))
    expected = rule_from_shorthand("amount", name)
    assert (emitted.column, emitted.name, str(emitted.expr)) == (
        expected.column, expected.name, str(expected.expr),
    )  # fmt: skip


@pytest.mark.parametrize(("op", "args"), OPERATOR_CASES, ids=lambda v: repr(v))
def test_operator_matches_runtime(spark: Any, op: str, args: tuple[Any, ...]) -> None:
    from sparkforge.rule_columns import rule_from_operator

    emitted = _eval_rule(RuleSpec("status", RuleKind.OPERATOR, op, args))
    expected = rule_from_operator("status", op, list(args))
    assert emitted.name == expected.name
    assert str(emitted.expr) == str(expected.expr)


def test_sql_and_expression_rules(spark: Any) -> None:
    from pyspark.sql import functions as F
    from sparkforge.rule_columns import rule_from_sql

    sql = RuleSpec("amount", RuleKind.SQL, "sql", ("amount > 0 AND amount < 1e6",))
    emitted, expected = _eval_rule(sql), rule_from_sql("amount", "amount > 0 AND amount < 1e6")
    assert (emitted.name, str(emitted.expr)) == (expected.name, str(expected.expr))
    expr = RuleSpec("x", RuleKind.EXPR, "expr", source='F.col("x").isin(1, 2)  # small ids')
    rule = _eval_rule(expr)
    assert rule.name is None and str(rule.expr) == str(F.col("x").isin(1, 2))


def test_rule_values_that_cannot_be_written_are_diagnostics() -> None:
    nan = RuleSpec("x", RuleKind.OPERATOR, "gt", (float("nan"),), span=span(7))
    with pytest.raises(CompileError) as caught:
        emit_rule(nan)
    assert caught.value.diagnostic.code == "SF601" and caught.value.diagnostic.span.line == 7
    with pytest.raises(CompileError):
        emit_rule(RuleSpec("x", RuleKind.OPERATOR, "in", (3,)))
    with pytest.raises(CompileError):
        emit_rule(RuleSpec("x", RuleKind.SHORTHAND, "positve"))


# --- the job's shape ------------------------------------------------------------------------------


def test_job_is_valid_black_stable_and_deterministic() -> None:
    job = compile_ir(shop())
    ast.parse(job)
    assert format_source(job) == job
    assert compile_ir(shop()) == job


def test_job_imports_only_allowed_modules() -> None:
    tree = ast.parse(compile_ir(shop()))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert {n.split(".")[0] for n in names} <= ALLOWED_TOP_LEVEL, names


def test_header_names_source_hash_and_full_command() -> None:
    job = compile_ir(shop())
    doc = ast.get_docstring(ast.parse(job)) or ""
    assert "Pipeline 'shop_orders'" in doc
    assert f"compiled by sparkforge 0.1.0 from pipeline.py (sha256 {'ab' * 32})" in doc.lower()
    assert "sparkforge compile pipeline.py -o job.py" in doc
    for part in (
        "--packages io.delta:delta-spark_4.1_2.13:4.4.0 \\",
        "--conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \\",
        "--conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \\",
        "AQEPropagateEmptyRelation \\",
        "--py-files sparkforge_runtime.zip \\",
        "job.py --mode incremental",
    ):
        assert part in doc


def test_user_code_is_copied_with_its_origin() -> None:
    job = compile_ir(shop())
    assert "# pipeline.py:3\nfrom pyspark.sql import functions as F\n" in job
    assert "# pipeline.py:9\nMIN_AMOUNT = 10\n" in job
    assert "# pipeline.py:12\ndef clean(spark, df, prior):\n" in job
    assert "# pipeline.py:40\ndaily_transform = (  # noqa: E731\n" in job
    # The user's own `F` import serves the rules too: it is not imported twice.
    assert job.count("import functions as F") == 1
    assert "# Drops test orders.\n# Keeps the rest.\n# pipeline.py:28\n@step(" in job


def _function(job: str, name: str) -> str:
    start = job.index(f"def {name}(")
    start = job.rindex("\n@step(", 0, start)
    end = job.find("\n\n\n", start)
    return job[start:end]


def test_step_functions_show_reads_rules_gate_and_write_in_order() -> None:
    job = compile_ir(shop())
    silver = _function(job, "silver_clean_orders")
    order = [
        '"silver",', 'table="shop.clean_orders"', 'after=("orders",)', 'initial="overwrite"',
        'incremental="append"', 'full_refresh="overwrite"',
        "def silver_clean_orders(run: StepRun) -> DataFrame:", "orders -> shop.clean_orders",
        'run.watermark("shop.clean_orders", "updated_at") if run.incremental else None',
        'run.newer_than(run.output("orders"), "updated_at", since)',
        "df = clean(run.spark, orders, priors)",
        "checked = run.validate(", "clean_orders_rules()", "run.gate(checked, min_rate=98.0)",
        'run.publish(checked, covered=run.covered("orders", since))', "return checked.valid",
    ]  # fmt: skip
    positions = [silver.index(text) for text in order]
    assert positions == sorted(positions), silver
    rules = job[job.index("def clean_orders_rules()") :]
    assert 'Rule("amount", None, F.col("amount") < 1e6)' in rules[: rules.index("@step(")]
    gold = _function(job, "gold_daily")
    assert 'incremental="overwrite"' in gold and "run.whole(" in gold
    assert "run.publish(checked)" in gold


def test_main_lists_stages_and_marks_parallel_ones() -> None:
    job = compile_ir(shop())
    assert "(bronze_customers, bronze_orders),  # stage 1: side by side" in job
    assert "(silver_clean_orders,),  # stage 2" in job
    assert "return run_job(PIPELINE, plan, argv)" in job
    assert job.rstrip().endswith('if __name__ == "__main__":\n    sys.exit(main())')
    serial = compile_ir(shop(enable_parallel_silver=False, unified_execution=True))
    assert "# stage 1: one after another" in serial
    assert "# Unified: a step starts as soon as the steps it needs are done." in serial


def test_pipeline_holds_plain_values() -> None:
    job = compile_ir(shop(max_parallel_workers=3))
    for text in ('name="shop_orders"', 'source="pipeline.py"', "max_workers=3",
                 'log_table="shop.pipeline_logs"', 'runtime_requires=">=0.1.0,<0.2"',
                 '@step("bronze", "orders", table="shop.orders", watermark="updated_at")'):  # fmt: skip
        assert text in job, text


def _load(job: str) -> types.ModuleType:
    module = types.ModuleType("compiled_job")
    exec(compile(job, "job.py", "exec"), module.__dict__)
    return module


def test_step_declarations_are_the_runners(spark: Any) -> None:
    pipeline = shop()
    module = _load(compile_ir(pipeline))
    for step in pipeline.steps:
        declared = getattr(module, f"{step.layer.value}_{step.name}").info
        assert declared == plan_step(step, pipeline).info
    assert len(module.clean_orders_rules()) == len(pipeline.step("clean_orders").rules)


def test_importing_the_job_needs_no_spark() -> None:
    module = _load(compile_ir(shop()))
    assert module.PIPELINE.name == "shop_orders"
    assert module.bronze_orders.info.watermark == "updated_at"
    assert module.gold_daily.info.after == ("clean_orders",)


# --- naming and clashes ---------------------------------------------------------------------------


def with_support(*blocks: CodeBlock) -> Pipeline:
    pipeline = shop()
    return dataclasses.replace(pipeline, support=(*pipeline.support, *blocks))


def test_a_user_name_clashing_with_the_job_is_a_diagnostic() -> None:
    assert error_code(with_support(CodeBlock("main", "def main():\n    pass", span(5), (Bound("main"),)))) == "SF602"
    other_f = dataclasses.replace(shop(), support=(CodeBlock("F", "import fancy as F", span(2), (Bound("F", "fancy"),)),))
    assert error_code(other_f) == "SF602"
    compiler = CodeBlock("PipelineBuilder", "from sparkforge import PipelineBuilder", span(1),
                         (Bound("PipelineBuilder", "sparkforge.PipelineBuilder"),))
    assert error_code(with_support(compiler)) == "SF603"


def test_step_functions_step_around_user_names() -> None:
    job = compile_ir(with_support(CodeBlock("silver_clean_orders", "silver_clean_orders = 1", span(6),
                                           (Bound("silver_clean_orders"),))))
    assert "def silver_clean_orders_2(run: StepRun) -> DataFrame:" in job
    assert "(silver_clean_orders_2,),  # stage 2" in job


def test_shared_transform_is_copied_once_and_dollar_signs_survive() -> None:
    pipeline = shop()
    second = Step("clean_again", Layer.SILVER, table_name="again", source_bronze="orders",
                  transform=clean_transform(), span=span(33))  # fmt: skip
    text = CodeBlock("PRICE", "PRICE = '$5 ${x} $$'", span(10), (Bound("PRICE"),))
    pipeline = dataclasses.replace(pipeline, steps=(*pipeline.steps, second), support=(*pipeline.support, text))
    job = compile_ir(pipeline)
    assert job.count("def clean(spark, df, prior):") == 1
    assert "PRICE = \"$5 ${x} $$\"" in job


def test_header_imports_f_when_no_user_import_does() -> None:
    pipeline = dataclasses.replace(shop(), support=(CodeBlock("MIN_AMOUNT", "MIN_AMOUNT = 10", span(9), (Bound("MIN_AMOUNT"),)),))
    job = compile_ir(pipeline)
    assert "import sys\n\nfrom pyspark.sql import DataFrame, functions as F\n\nfrom sparkforge_runtime" in job


def test_spans_in_other_files_are_named_relative_to_the_job() -> None:
    helper = CodeBlock("helper", "def helper(x):\n    return x", span(2, "examples/shop/helpers.py"),
                       (Bound("helper"),))
    pipeline = dataclasses.replace(shop(), support=(*shop().support, helper))
    options = dataclasses.replace(OPTIONS, filename="examples/shop/pipeline.py", source_path="pipeline.py")
    assert "# helpers.py:2\ndef helper(x):" in compile_ir(pipeline, options)
    nested = dataclasses.replace(options, source_path="../shop/pipeline.py")
    assert "# ../shop/helpers.py:2\n" in compile_ir(pipeline, nested)


# --- values ---------------------------------------------------------------------------------------


def test_literals_round_trip_and_docstrings_stay_valid() -> None:
    assert literal(("a", 1, 2.5, None, True, ["x"])) == "('a', 1, 2.5, None, True, ['x'])"
    for text in ('say """hi"""', "ends with \\", 'quote"', "tab\there", "plain \\ back"):
        assert ast.literal_eval(docstring(text)) == text


def test_odd_pipeline_names_keep_the_header_valid() -> None:
    job = compile_ir(shop(pipeline_name='it\'s "odd" """'))
    assert '"odd" """' in (ast.get_docstring(ast.parse(job)) or "")


def test_runtime_zip_is_deterministic_and_complete() -> None:
    first = runtime_zip_bytes()
    assert first == runtime_zip_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {"sparkforge_runtime/__init__.py", "sparkforge_runtime/job.py"} <= set(names)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        assert not any("__pycache__" in n for n in names)


def test_a_step_that_allows_schema_evolution_says_so_in_its_publish() -> None:
    pipeline = shop()
    steps = tuple(
        dataclasses.replace(s, schema_evolution=True) if s.name == "clean_orders" else s for s in pipeline.steps
    )
    job = compile_ir(dataclasses.replace(pipeline, steps=steps))
    assert 'run.publish(checked, covered=run.covered("orders", since), evolve=True)' in job
    assert job.count("evolve=True") == 1
