"""Does the installed runtime fit the job? The job names the runtime versions it was compiled for.

Input: the job's `Pipeline` (`runtime_requires`, such as `>=0.1.0,<0.2`) and the installed
version. Output: None when they fit, else a message saying what to install or how to recompile.

    satisfies("0.1.3", ">=0.1.0,<0.2")  ->  True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sparkforge_runtime
from sparkforge_runtime.plan import Pipeline
from sparkforge_runtime.report import submit_command

_PEP440 = re.compile(
    r"v?(?:(\d+)!)?(\d+(?:\.\d+)*)"  # epoch, release
    r"(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?"  # pre-release
    r"(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?"  # post-release
    r"(?:[-_.]?(dev)[-_.]?(\d*))?"  # development release
    r"(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?",  # local version
    re.IGNORECASE,
)
_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_LOW, _HIGH = (-1, -1), (9, 0)  # sort before / after every pre-release (phase, number)


@dataclass(frozen=True, slots=True)
class Version:
    """A PEP 440 version, ordered as `packaging` orders it (stdlib only: the runtime imports no
    more than pyspark and delta). `key` sorts; `base` is the release without pre/post/dev/local."""

    key: tuple[Any, ...]  # (epoch, release, pre, post, dev)
    base: tuple[int, ...]
    pre: bool  # a pre- or development release
    post: bool
    local: str | None  # the local label, normalised (`+ubuntu-1` -> `ubuntu.1`)

    @classmethod
    def parse(cls, text: str) -> Version:
        m = _PEP440.fullmatch(text.strip())
        if m is None:
            raise ValueError(f"not a version: {text!r}")
        epoch, release, pre_l, pre_n, post_bare, post_l, post_n, dev, dev_n, local = m.groups()
        base = tuple(int(p) for p in release.split("."))
        while len(base) > 1 and base[-1] == 0:
            base = base[:-1]
        post = post_bare or ((post_n or "0") if post_l else None)
        pre = (_PRE[pre_l.lower()], int(pre_n or 0)) if pre_l else _LOW if dev and post is None else _HIGH
        key = (int(epoch or 0), base, pre, -1 if post is None else int(post),
               int(dev_n or 0) if dev else float("inf"))  # fmt: skip
        label = re.sub(r"[-_]", ".", local).lower() if local else None
        return cls(key, (int(epoch or 0), *base), bool(pre_l or dev), post is not None, label)


def satisfies(version: str, requirement: str) -> bool:
    """`0.1.3` against `>=0.1.0,<0.2`, clause by clause as PEP 440 says (pre-releases allowed)."""
    try:
        have = Version.parse(version)
        for clause in filter(None, (c.strip() for c in requirement.split(","))):
            op = next((o for o in ("==", "!=", ">=", "<=", "<", ">") if clause.startswith(o)), "==")
            if not _holds(have, op, Version.parse(clause.removeprefix(op))):
                return False
    except ValueError:  # not a version: it cannot be the one the job needs
        return False
    return True


def _holds(have: Version, op: str, bound: Version) -> bool:
    if op in ("==", "!="):  # a local label counts only when the bound names one
        same = have.key == bound.key and (bound.local is None or have.local == bound.local)
        return same == (op == "==")
    if op in (">=", "<="):
        return have.key >= bound.key if op == ">=" else have.key <= bound.key
    if have.key[:2] != bound.key[:2]:  # another release: a plain comparison
        return have.key < bound.key if op == "<" else have.key > bound.key
    # `<V` and `>V` leave out V's own family: `<0.2` admits no 0.2 pre-release unless V is one,
    # `>0.1` no 0.1 post-release unless V is one (local labels never compare).
    if op == "<":
        if bound.pre:
            return have.key < bound.key
        return bound.post and have.key < bound.key and have.key[:4] != bound.key[:4]  # not V.devN
    if bound.key[4] != float("inf") or bound.post:
        return have.key > bound.key
    return have.key > bound.key and have.key[2] != bound.key[2]


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
