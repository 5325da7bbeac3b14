"""One line for any failure: the error class Spark or Delta gives it and the first line of its
message, never the py4j wrapper's "An error occurred while calling oNNN" nor a JVM stack.

Input: an exception. Output: `describe(exc)`, e.g.
`[DELTA_CONCURRENT_APPEND.WITHOUT_HINT] Transaction conflict detected. ...`, and `details(exc)` with
the Python traceback and the JVM stack for `--verbose`.
"""

from __future__ import annotations

import re
import traceback
import warnings
from typing import Any

from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException

from sparkforge_runtime.errors import RuntimeStepError

# --- One-line descriptions of failures -------------------------------------------------------
#
# Spark and Delta errors reach Python in three shapes: a pyspark `CapturedException` (or a Delta
# subclass of it) whose condition is known, a Delta conflict converted from its text (condition
# only inside the message), or a raw py4j `Py4JJavaError` whose first line is the useless
# "An error occurred while calling oNNN.saveAsTable". `describe` turns each into
# `[CONDITION] first message line`, or `ExceptionName: first message line` when there is no
# condition, and never includes a JVM stack.

_CONDITION = re.compile(r"^\[([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)*)\]\s*")
_JAVA_PREFIX = re.compile(r"^(?:[a-z_$][\w$]*\.)+([A-Z][\w$]*): ?")
_TRACEBACK = "Traceback (most recent call last):"
_WORKER_RAISED = re.compile(r"^([A-Za-z_][\w.]*): (.*)$", re.MULTILINE)  # "ZeroDivisionError: ..."
_MAX_CHAIN = 8
_MAX_TEXT = 500
# Delta's commit-conflict exceptions (Java simple names, also the Python class names).
WRITE_CONFLICTS = frozenset(
    {
        "ConcurrentAppendException",
        "ConcurrentDeleteReadException",
        "ConcurrentDeleteDeleteException",
        "ConcurrentTransactionException",
        "ConcurrentWriteException",
        "MetadataChangedException",
        "ProtocolChangedException",
        "DeltaConcurrentModificationException",
    }
)


def describe(exc: BaseException) -> str:
    """One line for `exc`: `[DELTA_CONCURRENT_APPEND.WITHOUT_HINT] Transaction conflict ...`,
    `[TABLE_OR_VIEW_NOT_FOUND] The table or view ...`, or `TypeError: ...` for a Python error.
    The runtime's own errors are messages already: their first line, without the class name."""
    name, condition, text = _parts(exc)
    if isinstance(exc, RuntimeStepError) and text:
        return _clip(text)
    if condition:
        return _clip(f"[{condition}] {text}".rstrip())
    return _clip(f"{name}: {text}" if text else name)


def details(exc: BaseException) -> str:
    """`describe(exc)`, then the Python traceback and the JVM stack behind it (for `--verbose`)."""
    python = "".join(traceback.format_exception(exc)).rstrip()
    stack = getattr(exc, "_stackTrace", None)  # a captured Java exception's stack
    jvm = f"\nJVM stack:\n{stack.rstrip()}" if isinstance(stack, str) and stack.strip() else ""
    return f"{describe(exc)}\n{python}{'' if jvm.strip() in python else jvm}"


def write_failure(step: str, fqn: str, mode: str, exc: BaseException) -> str:
    """The line of a failed table write: where, what Spark said, and how to fix what needs a fix
    (a column name Delta refuses; a schema mismatch on append or merge)."""
    text, condition = describe(exc), error_condition(exc) or ""
    hint = ""
    if condition.startswith("DELTA_INVALID_CHARACTERS_IN_COLUMN_NAMES"):
        hint = ("; rename those columns in the transform (withColumnRenamed), or create the table "
                "with Delta column mapping ('delta.columnMapping.mode' = 'name')")  # fmt: skip
    elif mode in ("append", "merge") and ("mismatch" in text.lower() or "SCHEMA" in condition):
        hint = ("; the new rows do not match the table's schema: run with --mode full-refresh "
                "(run_full_refresh) to rebuild the table, or change the transform to produce its columns")  # fmt: skip
    return f"{f'step {step!r}: ' if step else ''}writing {fqn} ({mode}) failed, the table is unchanged: {text}{hint}"


def error_condition(exc: BaseException) -> str | None:
    """The Spark/Delta error class of `exc` (`DELTA_CONCURRENT_APPEND.WITHOUT_HINT`), or None."""
    return _parts(exc)[1]


def is_write_conflict(exc: BaseException) -> bool:
    """True when `exc` is a Delta commit conflict (another transaction won; retrying may succeed)."""
    name, condition, _ = _parts(exc)
    python_names = {cls.__name__ for cls in type(exc).__mro__}
    conflict_classes = ("DELTA_CONCURRENT", "DELTA_METADATA_CHANGED", "DELTA_PROTOCOL_CHANGED")
    return bool((python_names | {name}) & WRITE_CONFLICTS) or (condition or "").startswith(
        conflict_classes
    )


def _parts(exc: BaseException) -> tuple[str, str | None, str]:
    """(exception name, condition or None, first message line without the `[CONDITION]` prefix)."""
    java = getattr(exc, "java_exception", None)
    if isinstance(exc, Py4JJavaError) and java is not None:
        return _java_parts(java)
    condition, message = _pyspark_condition(exc), _pyspark_message(exc)
    raised = _WORKER_RAISED.findall(message.rpartition(_TRACEBACK)[2]) if "Python worker" in message else []
    if raised:  # a Python function failed in a worker: what it raised, from the worker's traceback
        return raised[-1][0].rpartition(".")[2], None, raised[-1][1]
    name, text = type(exc).__name__, _first_line(message)
    java_name = _JAVA_PREFIX.match(text)
    if java_name:  # an UnknownException: "java.io.FileNotFoundException: ..."
        name, text = java_name.group(1), text[java_name.end() :]
    return _split_condition(name, condition, text)


def _split_condition(name: str, condition: str | None, text: str) -> tuple[str, str | None, str]:
    found = _CONDITION.match(text)
    if found:
        return name, condition or found.group(1), text[found.end() :]
    return name, condition, text


def _pyspark_condition(exc: BaseException) -> str | None:
    for method in ("getCondition", "getErrorClass"):
        getter = getattr(exc, method, None)
        if getter is None:
            continue
        try:
            with warnings.catch_warnings():  # getErrorClass is deprecated in Spark 4
                warnings.simplefilter("ignore")
                value = getter()
        except Exception:  # the JVM is gone; fall back to the message text
            return None
        if value:
            return str(value)
    return None


def _pyspark_message(exc: BaseException) -> str:
    """The message without the "JVM stacktrace" that `CapturedException.__str__` may append."""
    if isinstance(exc, PySparkException):
        desc = getattr(exc, "_desc", None)  # a captured Java exception's own message
        if isinstance(desc, str) and desc.strip():
            return desc
        try:
            return exc.getMessage() or str(exc)
        except Exception:
            return str(exc)
    return str(exc)


def _java_parts(java: Any) -> tuple[str, str | None, str]:
    """Walk the Java cause chain; the first throwable with an error class describes the failure."""
    outer: tuple[str, str | None, str] | None = None
    current, seen = java, 0
    while current is not None and seen < _MAX_CHAIN:
        try:
            name = str(current.getClass().getSimpleName())
            parts = _split_condition(name, _java_condition(current), _first_line(current.getMessage()))
            current = current.getCause()
        except Exception:  # the gateway is closed: keep what we have
            break
        outer = outer or parts
        if parts[1]:
            return parts
        seen += 1
    return outer or ("Py4JJavaError", None, "")


def _java_condition(throwable: Any) -> str | None:
    for method in ("getCondition", "getErrorClass"):
        try:
            value = getattr(throwable, method)()
        except Exception:  # not a SparkThrowable, or an older Spark
            continue
        if value:
            return str(value)
    return None


def _first_line(text: Any) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0] if lines else ""


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."
