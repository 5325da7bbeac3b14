"""`describe(exc)`: one line with the error class and the first message line, for real failures."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from py4j.protocol import Py4JJavaError
from sparkforge_runtime.errors import TableWriteError
from sparkforge_runtime.failures import (
    describe,
    details,
    error_condition,
    is_write_conflict,
    write_failure,
)
from sparkforge_runtime.lease_table import Holder, lease_path, swap
from sparkforge_runtime.quiet import silenced


def _caught(action) -> BaseException:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception) as info:
        action()
    return info.value


def _one_line(text: str) -> None:
    assert "\n" not in text
    assert "JVM stacktrace" not in text and "\tat " not in text
    assert "An error occurred while calling" not in text


def test_missing_table(spark) -> None:  # type: ignore[no-untyped-def]
    text = describe(_caught(lambda: spark.table("no_such_schema.orders")))
    _one_line(text)
    assert text.startswith(
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `no_such_schema`.`orders` cannot be found."
    )


def test_details_keep_the_stacks_for_verbose_output(spark) -> None:  # type: ignore[no-untyped-def]
    exc = _caught(lambda: spark.table("no_such_schema.orders"))
    text = details(exc)
    assert text.splitlines()[0] == describe(exc)
    assert "Traceback (most recent call last)" in text
    assert "\tat org.apache.spark" in text  # the JVM stack
    raw = _caught(lambda: spark._jvm.java.util.ArrayList().get(3))
    assert "\tat java.base/" in details(raw)


def test_missing_column(spark) -> None:  # type: ignore[no-untyped-def]
    exc = _caught(lambda: spark.range(3).select("idd"))
    text = describe(exc)
    _one_line(text)
    assert text.startswith("[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function")
    assert "`idd`" in text
    assert error_condition(exc) == "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    assert not is_write_conflict(exc)


def test_real_delta_commit_conflict(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two lease swaps from the same row at once: Delta fails one of them."""
    path = lease_path(str(tmp_path))
    now = int(time.time() * 1000)
    first = swap(spark, path, None, Holder("p", "r", "released", "h", 1, now, now, now, now))
    errors: list[BaseException] = []
    gate = threading.Barrier(2)

    def insert(i: int) -> None:
        now = int(time.time() * 1000)
        gate.wait()
        try:
            swap(spark, path, first, Holder("p", f"r{i}", "running", "h", 1, now, now, now, now))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 1, errors
    text = describe(errors[0])
    _one_line(text)
    assert text.startswith("[DELTA_CONCURRENT_"), text
    assert text.startswith("[DELTA_CONCURRENT_TRANSACTION] ConcurrentTransactionException"), text
    assert is_write_conflict(errors[0])


def test_raw_py4j_error_keeps_the_java_class_and_message(spark) -> None:  # type: ignore[no-untyped-def]
    exc = _caught(lambda: spark._jvm.java.util.ArrayList().get(3))
    assert isinstance(exc, Py4JJavaError)  # pyspark leaves unknown Java errors as they are
    assert describe(exc) == "IndexOutOfBoundsException: Index 3 out of bounds for length 0"


def test_py4j_error_with_the_delta_conflict_as_its_cause(spark) -> None:  # type: ignore[no-untyped-def]
    """The shape of a failed saveAsTable: a wrapper whose cause carries the error class."""
    jvm = spark._jvm
    params = spark.sparkContext._gateway.new_array(jvm.java.lang.String, 4)
    for i, value in enumerate(("WRITE", "spark_catalog.shop.clean_customers", "7", "https://x")):
        params[i] = value
    cause = jvm.io.delta.exceptions.ConcurrentAppendException.apply(
        "WITHOUT_HINT", params  # the sub-class; apply() prefixes DELTA_CONCURRENT_APPEND.
    )
    wrapper = jvm.java.lang.RuntimeException("write failed", cause)
    exc = Py4JJavaError("An error occurred while calling o579.saveAsTable.\n", wrapper)
    text = describe(exc)
    _one_line(text)
    assert text.startswith("[DELTA_CONCURRENT_APPEND.WITHOUT_HINT] Transaction conflict detected."), text
    assert is_write_conflict(exc)
    message = write_failure("clean_customers", "shop.clean_customers", "overwrite", exc)
    assert message.startswith(
        "step 'clean_customers': writing shop.clean_customers (overwrite) failed, the table is "
        "unchanged: [DELTA_CONCURRENT_APPEND.WITHOUT_HINT] Transaction conflict detected."
    )


def test_pyspark_python_side_error(spark) -> None:  # type: ignore[no-untyped-def]
    exc = _caught(lambda: spark.range(1).withColumn("x", 5))
    text = describe(exc)
    _one_line(text)
    assert text.startswith("[NOT_COLUMN] Argument `col` should be a Column"), text


def test_plain_python_errors() -> None:
    assert describe(TypeError("unsupported operand type(s) for +: 'int' and 'str'")) == (
        "TypeError: unsupported operand type(s) for +: 'int' and 'str'"
    )
    assert describe(ValueError("first line\n  second line")) == "ValueError: first line"
    assert describe(KeyError()) == "KeyError"
    assert error_condition(TypeError("x")) is None
    assert len(describe(RuntimeError("x" * 2000))) == 500


def test_runtime_errors_are_their_message() -> None:
    error = TableWriteError("step 'a': writing s.t (append) failed, the table is unchanged: x\nmore")
    assert describe(error) == "step 'a': writing s.t (append) failed, the table is unchanged: x"
    assert describe(TableWriteError()) == "TableWriteError"


def test_silenced_restores_levels_after_nested_blocks(spark) -> None:  # type: ignore[no-untyped-def]
    log4j = spark._jvm.org.apache.logging.log4j
    name = "org.apache.derby"

    def level() -> str:
        return str(log4j.LogManager.getLogger(name).getLevel().toString())

    before = level()
    with silenced(spark, (name,)):
        with silenced(spark, (name, "DataNucleus")):
            assert level() == "OFF"
        assert level() == "OFF"  # still inside the outer block
    assert level() == before


def test_write_failures_say_how_to_fix_them(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "t")
    spark.createDataFrame([(1, "a")], "id int, name string").write.format("delta").save(path)
    mismatch = _caught(
        lambda: spark.createDataFrame([(1, 2.5)], "id int, price double").write.format("delta").mode("append").save(path)
    )
    line = write_failure("clean", "shop.t", "append", mismatch)
    _one_line(line)
    assert "the new rows do not match the table's schema: run with --mode full-refresh" in line
    assert "do not match" not in write_failure("clean", "shop.t", "overwrite", mismatch)

    spaced = _caught(
        lambda: spark.createDataFrame([(1,)], "`sale id` int").write.format("delta").save(str(tmp_path / "u"))
    )
    line = write_failure("clean", "shop.u", "append", spaced)
    _one_line(line)
    assert line.startswith("step 'clean': writing shop.u (append) failed, the table is unchanged: "
                           "[DELTA_INVALID_CHARACTERS_IN_COLUMN_NAMES]")
    assert "rename those columns in the transform" in line and "do not match" not in line

