"""A transform or a rule that fails at run time is reported at the line of the user's pipeline.py,
with Spark's error class and message and without a JVM stack: one test per kind of failure (a
missing column, a Python exception in the transform, a type error in a rule's column, a column name
Delta refuses), for the compiled job (its `main()` run in-process on the shared session) and for
the interpreted runner, also in a session the user built (a process of its own, whose whole stderr
is read). The run log row of the step carries the same one-line message."""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pyspark.sql import SparkSession
from sparkforge.compiler.api import CompileOptions, compile_source

PIPELINE = '''\
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def clean(spark, bronze_df, prior_silvers):
    out = bronze_df.withColumn("amount", F.col("price") * 2)
    {body}
    return out


def build(spark):
    return (
        PipelineBuilder(spark=spark, schema="{schema}", min_silver_rate=0.0, verbose=False,
                        pipeline_name="lines")
        .with_bronze_rules(name="orders", rules={{"id": ["not_null"], "price": [], "label": []}})
        .add_silver_transform(  # STEP
            name="clean", source_bronze="orders", transform=clean,
            rules={rules}, table_name="clean",
        )
    )
'''
KINDS = {
    "missing_column": ('out = out.withColumn("net", F.col("no_such_column") - 1)  # HERE',
                       '{"id": ["not_null"], "amount": []}', "# HERE", "UNRESOLVED_COLUMN"),
    "python_exception": ('raise ValueError("the price list is empty")  # HERE',
                         '{"id": ["not_null"], "amount": []}', "# HERE",
                         "ValueError: the price list is empty"),
    "rule_type_error": ("pass", '{"id": ["not_null"], "label": [["gt", 0]]}', "# STEP", "CAST_INVALID_INPUT"),
    # a Python function failing in a Spark worker: what it raised, not "An exception was thrown ..."
    "udf_error": ('out = out.withColumn("r", F.udf(lambda p: p / 0.0, "double")("price"))  # HERE',
                  '{"id": ["not_null"], "r": []}', "# HERE", "ZeroDivisionError: float division by zero"),
    # `note` is in the table, but the bronze step's rules do not name it: the line names the fix
    "column_left_out": ('out = out.withColumn("n", F.length("note"))  # HERE', '{"id": ["not_null"]}',
                        "# HERE", "step 'orders' did not pass on column 'note': with filter_columns_by_rules "
                        "its output keeps only the columns its rules name; add 'note': [] to its rules"),
    # Delta refuses the name at the write: the step's line, and the fix
    "bad_column_name": ('out = out.withColumnRenamed("amount", "net amount")', '{"id": ["not_null"], "net amount": []}',
                        "# STEP", "[DELTA_INVALID_CHARACTERS_IN_COLUMN_NAMES]"),
}  # fmt: skip
JVM_STACK = ("Py4JJavaError", "at org.apache", "\tat ", "java.lang.")
_modules = itertools.count()


def write_pipeline(folder: Path, schema: str, kind: str) -> tuple[Path, int, str]:
    """pipeline.py for one kind of failure, the line it must be reported at, the error it names."""
    body, rules, marker, error = KINDS[kind]
    text = PIPELINE.format(body=body, rules=rules, schema=schema)
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.rstrip().endswith(marker))
    path = folder / "pipeline.py"
    path.write_text(text)
    return path, line, error


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"failure_lines_{next(_modules)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def orders(spark: SparkSession, schema: str) -> str:
    table = f"{schema}.orders"
    rows = [(1, 2.0, "abc", "x"), (2, 3.0, "7", "y")]
    spark.createDataFrame(rows, "id long, price double, label string, note string").write.saveAsTable(table)
    return table


def assert_reported(text: str, line: int, error: str) -> None:
    expected = f"pipeline.py:{line}: step 'clean' (silver): "
    assert expected in text, text
    reported = text[text.index(expected):].splitlines()[0]
    assert error in reported, reported
    assert reported.count("step 'clean'") == 1, reported  # a failed write too names its step once
    assert not any(marker in text for marker in JVM_STACK), text


def log_message(spark: SparkSession, schema: str) -> str:
    rows = spark.table(f"{schema}.logs").where("step_name = 'clean'").collect()
    assert len(rows) == 1
    return str(rows[0]["error_message"])


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_compiled_job_reports_the_pipeline_line(
    kind: str, spark: SparkSession, schema: str, orders: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path, line, error = write_pipeline(tmp_path, schema, kind)
    result = compile_source(path.read_text(), path.as_posix(), CompileOptions(source_path="pipeline.py"))
    assert result.ok and result.source is not None, result.diagnostics
    job = tmp_path / "job.py"
    job.write_text(result.source)
    capsys.readouterr()
    code = load(job).main(["--mode", "initial", "--log-table", f"{schema}.logs", "--no-lineage"])
    out = capsys.readouterr()
    assert code == 1
    assert_reported(out.out + out.err, line, error)
    assert "Traceback" not in out.out + out.err  # only under --verbose
    assert_reported(log_message(spark, schema), line, error)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_interpreted_runner_reports_the_pipeline_line(
    kind: str, spark: SparkSession, schema: str, orders: str, tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path, line, error = write_pipeline(tmp_path, schema, kind)
    result = load(path).build(spark).to_pipeline().initial_load()
    assert not result.success
    assert_reported(result.error_message or "", line, error)
    assert not any(marker in capfd.readouterr().err for marker in JVM_STACK)  # PySpark's JSON dump too


def test_verbose_adds_the_traceback(
    spark: SparkSession, schema: str, orders: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _, _ = write_pipeline(tmp_path, schema, "python_exception")
    result = compile_source(path.read_text(), path.as_posix(), CompileOptions(source_path="pipeline.py"))
    assert result.source is not None
    (tmp_path / "job.py").write_text(result.source)
    code = load(tmp_path / "job.py").main(["--mode", "initial", "--verbose", "--log-table", f"{schema}.logs"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and 'raise ValueError("the price list is empty")' in err


USER_SESSION = """
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").config("spark.jars", {jars!r})
         .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
         .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
         .config("spark.sql.warehouse.dir", {warehouse!r}).config("spark.ui.enabled", "false").getOrCreate())
spark.sql("CREATE SCHEMA {schema}")
rows = [(1, 2.0, "abc", "x"), (2, 3.0, "7", "y")]
spark.createDataFrame(rows, "id long, price double, label string, note string").write.saveAsTable("{schema}.orders")
sys.path.insert(0, {folder!r})
import pipeline
result = pipeline.build(spark).to_pipeline().initial_load()
print("ERROR_MESSAGE", result.error_message)
"""


def test_the_interpreted_runner_keeps_task_stacks_quiet_in_a_users_own_session(tmp_path: Path) -> None:
    # A session the user built keeps Spark's log levels, which print "Aborting task" with a JVM
    # stack when a write fails; the runner quiets them for the run (its stderr is read whole here).
    _, line, error = write_pipeline(tmp_path, "user_session", "bad_column_name")
    script = USER_SESSION.format(jars=os.environ["SPARKFORGE_JARS"], warehouse=str(tmp_path / "wh"),
                                 schema="user_session", folder=str(tmp_path))  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_reported(done.stdout, line, error)
    assert not any(marker in done.stderr for marker in JVM_STACK), done.stderr[-3000:]
