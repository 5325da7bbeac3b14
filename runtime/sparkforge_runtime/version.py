"""Does the installed runtime fit the job? The job names the runtime versions it was compiled for.

Input: the job's `Pipeline` (`runtime_requires`, such as `>=0.1.0,<0.2`) and the installed
version. Output: None when they fit, else a message saying what to install or how to recompile.

    satisfies("0.1.3", ">=0.1.0,<0.2")  ->  True
"""

from __future__ import annotations

import re

import sparkforge_runtime
from sparkforge_runtime.plan import Pipeline
from sparkforge_runtime.report import submit_command


def _version(text: str) -> tuple[int, ...]:
    """`0.1.0` -> (0, 1, 0, 1); a pre-release such as `0.1.0rc1` sorts before its release."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)(.*)", text)
    if match is None:
        return ()
    numbers = [int(p) for p in match.group(1).split(".")]
    numbers += [0] * (3 - len(numbers))
    return (*numbers, 0 if match.group(2).strip() else 1)


def satisfies(version: str, requirement: str) -> bool:
    """`0.1.3` against `>=0.1.0,<0.2`: each clause compares version tuples."""
    compare = {">=": tuple.__ge__, "<=": tuple.__le__, "==": tuple.__eq__, "!=": tuple.__ne__,
               ">": tuple.__gt__, "<": tuple.__lt__}  # fmt: skip
    for clause in filter(None, (c.strip() for c in requirement.split(","))):
        op = next((o for o in compare if clause.startswith(o)), "==")
        bound = _version(clause.removeprefix(op))
        if op in ("<", ">=") and bound[-1] == 1:
            bound = (*bound[:-1], 0)  # `<0.2` excludes 0.2.0rc1 too, `>=0.1` admits 0.1.0rc1
        if not compare[op](_version(version), bound):
            return False
    return True


def runtime_problem(pipeline: Pipeline, found: str | None = None) -> str | None:
    """Why the installed runtime cannot run this job, or None when it can."""
    found = found or sparkforge_runtime.__version__
    if satisfies(found, pipeline.runtime_requires):
        return None
    return (
        f"{pipeline.script} was compiled by sparkforge {pipeline.compiled_with} and needs "
        f"sparkforge_runtime {pipeline.runtime_requires}, but found {found} "
        f"({sparkforge_runtime.__file__}).\nInstall the matching version on the driver (pip install "
        f"'sparkforge{pipeline.runtime_requires}'), or recompile and ship its runtime zip:\n"
        f"  sparkforge compile {pipeline.source} -o {pipeline.script} --with-runtime-zip\n"
        f"  {submit_command(pipeline.script)}"
    )
