"""Where a step failed, in the user's own file: `pipeline.py:LINE` from a traceback.

Input: an exception raised while a step ran. Output: the innermost line of user code it passed
through. A compiled job copies each transform under a `# pipeline.py:N` comment, so a line of the
job maps back to the pipeline; a line of a step function maps to the line that declared the step.
In the interpreted runner the transform's code is the user's file itself.

    user_line(exc)  ->  "pipeline.py:33"
    failure_line(step, exc)  ->  "pipeline.py:33: step 'clean' (silver): [DIVIDE_BY_ZERO] ..."

A column the transform cannot find that an upstream step's rules left out (`filter_columns_by_rules`)
is named with that step and the fix.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
import sysconfig
import traceback
from collections.abc import Mapping

import py4j
import pyspark

from sparkforge_runtime.errors import ThresholdError
from sparkforge_runtime.failures import describe
from sparkforge_runtime.plan import Step

_ORIGIN = re.compile(r"# (\S+\.py):(\d+)$")
_UNRESOLVED = re.compile(r"\[UNRESOLVED_COLUMN\.\w+\] .*? name `([^`]+)`")
_DECLARED = re.compile(r"@step\(|def \w+\(\) -> tuple\[Rule, \.\.\.\]:")
_LIBRARIES = (
    *(os.path.dirname(p) for p in (pyspark.__file__, py4j.__file__, __file__, os.__file__) if p),
    sysconfig.get_paths()["purelib"],
)


def failure_line(step: Step, exc: Exception, dropped: Mapping[str, list[str]] | None = None) -> str:
    """One line: a threshold breach as SPEC words it, anything else where it happened in the
    user's file and what Spark or Python said, without a JVM stack. `dropped`: the columns each
    step of the run left out of its output (its rules name them not)."""
    if isinstance(exc, ThresholdError):
        return str(exc)
    where, said = user_line(exc) or step.info.source or "<job>", describe(exc)
    fix = _left_out(step, said, dropped or {})
    said = f"{said.rstrip(';')}; {fix}" if fix else said
    return f"{where}: step {step.name!r} ({step.info.layer}): {said}"


def _left_out(step: Step, said: str, dropped: Mapping[str, list[str]]) -> str | None:
    """The fix for a column the transform reads that an upstream step did not pass on."""
    found = _UNRESOLVED.search(said)
    column = found.group(1) if found else None
    upstream = next((u for u in step.info.after if column in dropped.get(u, ())), None)
    if column is None or upstream is None:
        return None
    return (f"step {upstream!r} did not pass on column {column!r}: with filter_columns_by_rules "
            f"its output keeps only the columns its rules name; add {column!r}: [] to its rules, or "
            "set filter_columns_by_rules=False")  # fmt: skip


def user_line(exc: BaseException) -> str | None:
    """`file:line` of the innermost frame of user code in the traceback, mapped to the pipeline."""
    compiler = sys.modules.get("sparkforge")  # the interpreted runner's own frames are not user code
    skip = _LIBRARIES + ((os.path.dirname(compiler.__file__),) if compiler and compiler.__file__ else ())
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not frame.filename.startswith(skip) and frame.lineno:
            return _origin(frame.filename, frame.lineno) or _shown(frame.filename, frame.lineno)
    return None


def _origin(filename: str, lineno: int) -> str | None:
    """The pipeline line a line of a compiled job came from; None for any other file."""
    if "a sparkforge job" not in linecache.getline(filename, 1):
        return None
    for line in range(lineno, 0, -1):
        match = _ORIGIN.match(linecache.getline(filename, line).rstrip())
        if match is None:
            continue
        source, start = match.group(1), int(match.group(2))
        if _DECLARED.match(linecache.getline(filename, line + 1)):
            return f"{source}:{start}"  # a step or its rules: where the pipeline declares it
        return f"{source}:{start + lineno - line - 1}"  # copied code: the same line in the file
    return None


def _shown(filename: str, lineno: int) -> str:
    relative = os.path.relpath(filename)
    return f"{filename if relative.startswith('..') else relative}:{lineno}"
