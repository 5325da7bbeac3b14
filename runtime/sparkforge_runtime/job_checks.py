"""Checks a compiled job makes before it runs: the runtime version, and Delta Lake on the classpath.

Input: the job's `JobDefinition` (and a SparkSession for the Delta check). Output: None or True when
all is well, else a message that says what to install or how to submit the job.

    satisfies("0.1.3", ">=0.1.0,<0.2")  ->  True
    runtime_problem(job_compiled_by_0_2)  ->  "job.py was compiled by sparkforge 0.2.0 and needs ..."
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from py4j.java_gateway import JavaClass
from pyspark.sql import SparkSession

import sparkforge_runtime
from sparkforge_runtime.job_report import submit_command
from sparkforge_runtime.session import delta_available

if TYPE_CHECKING:
    from sparkforge_runtime.job import JobDefinition


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.strip().split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


# Longest operators first, so that ">=" is not read as ">".
_COMPARISONS: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
    (">=", operator.ge),
    ("<=", operator.le),
    ("==", operator.eq),
    ("!=", operator.ne),
    (">", operator.gt),
    ("<", operator.lt),
)


def satisfies(version: str, requirement: str) -> bool:
    """`0.1.3` against `>=0.1.0,<0.2`: each clause compares numeric version tuples."""
    have = _version(version)
    for clause in filter(None, (c.strip() for c in requirement.split(","))):
        op, compare = next(
            ((o, f) for o, f in _COMPARISONS if clause.startswith(o)), ("", operator.eq)
        )
        if not compare(have, _version(clause[len(op) :])):
            return False
    return True


def runtime_problem(job: JobDefinition, found: str | None = None) -> str | None:
    """Why the installed runtime cannot run this job, or None when it can."""
    found = found or sparkforge_runtime.__version__
    if satisfies(found, job.runtime_requires):
        return None
    return (
        f"{job.script} was compiled by sparkforge {job.compiled_with} and needs sparkforge_runtime "
        f"{job.runtime_requires}, but found {found} ({sparkforge_runtime.__file__}).\n"
        f"Install the matching version on the driver (pip install 'sparkforge{job.runtime_requires}'), "
        f"or recompile and ship its runtime zip:\n"
        f"  sparkforge compile {job.source_file} -o {job.script} --with-runtime-zip\n"
        f"  {submit_command(job.script)}"
    )


def delta_loaded(spark: SparkSession) -> bool:
    """True when the driver can load Delta Lake's classes.

    `session.delta_available` asks `Class.forName`, i.e. the system class loader, which does not see
    jars added with --jars, --packages or spark.jars; py4j resolves names through Spark's context
    class loader, which does. Either answer "yes" is enough.
    """
    jvm = spark.sparkContext._jvm
    if jvm is not None and isinstance(jvm.io.delta.tables.DeltaTable, JavaClass):
        return True
    return delta_available(spark)


def no_delta_message(job: JobDefinition) -> str:
    return (
        "Delta Lake is not on the classpath of this Spark session, so the job cannot write its tables.\n"
        f"Start it with the Delta package and settings:\n\n  {submit_command(job.script)}"
    )
