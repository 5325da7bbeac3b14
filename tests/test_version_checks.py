"""The runtime's own version check agrees with `packaging`, the reference for version specifiers.

The runtime may import only pyspark, delta and the standard library, so `satisfies` keeps its small
parser; here it is compared with `SpecifierSet(requirement).contains(version, prereleases=True)`. On
plain releases (one to three parts, every operator, several clauses) they must agree everywhere. On
the corpus below (pre-, dev-, post- and local releases, four and five parts) the known differences
are listed with why, as strict xfails: a fixed runtime makes them fail, so the list only shrinks.
No Spark.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from sparkforge.compiler.api import runtime_requirement
from sparkforge_runtime.version import satisfies

OPERATORS = ("==", "!=", ">=", "<=", "<", ">")


def reference(version: str, requirement: str) -> bool:
    return SpecifierSet(requirement).contains(version, prereleases=True)


releases = st.lists(st.integers(0, 12), min_size=1, max_size=3).map(lambda ns: ".".join(map(str, ns)))
clauses = st.tuples(st.sampled_from(OPERATORS), releases).map("".join)
requirements = st.lists(clauses, min_size=1, max_size=3).map(", ".join)


@given(version=releases, requirement=requirements)
def test_agrees_on_releases(version: str, requirement: str) -> None:
    assert satisfies(version, requirement) == reference(version, requirement)


def test_agrees_on_the_requirement_the_compiler_writes() -> None:
    for compiled_with in ("0.1.0", "0.1.3", "1.0.0", "2.10.7"):
        requirement = runtime_requirement(compiled_with)
        for version in ("0.1.0", "0.1.9", "0.2.0", "1.0.1", "1.1.0", "2.10.7", "2.11.0", "0.0.9"):
            assert satisfies(version, requirement) == reference(version, requirement), requirement


VERSIONS = (
    "0.1", "0.1.0", "0.1.0.0", "0.1.1", "0.2", "0.2.0rc1", "0.2.0.dev0", "0.1.0a1", "0.1.0b2",
    "0.1.0rc1", "0.1.0rc2", "0.1.0.dev1", "0.1.0.post1", "0.1.0+local", "1.2.3.4", "1.2.3.4.0",
    "10.0", "0.10.0",
)
REQUIREMENTS = (
    "==0.1", "==0.1.0", "!=0.1.0", ">0.1", "<0.2", "<=0.1.0", ">=0.1.0,<0.2", ">=0.1, <0.2, !=0.1.1",
    "==0.1.0rc1", "<0.1.0rc2", ">=0.1.0rc1", "==1.2.3.4", ">=1.2.3.4", ">=0.2.0.dev0",
    "<=0.2,>0.0.9",
)

# Why the runtime answers differently from packaging.
EXTRA_ZERO = "a fourth part is compared with the runtime's pre-release flag: 0.1.0.0 != 0.1.0"
PRE_EQUAL = "pre-releases of one release are all equal to each other (a1 == b2 == rc1 == dev1)"
GE_ADMITS_PRE = ">=X admits X's pre-releases (a deliberate choice in satisfies; packaging does not)"
POST_AS_PRE = "a post-release (and a local version) sorts as a pre-release, before its release"
PRE = ("0.1.0a1", "0.1.0b2", "0.1.0rc1", "0.1.0rc2", "0.1.0.dev1")
KNOWN: dict[tuple[str, str], str] = {
    **{("0.1.0.0", r): EXTRA_ZERO for r in ("==0.1", "==0.1.0", "!=0.1.0")},
    ("1.2.3.4.0", "==1.2.3.4"): EXTRA_ZERO,
    **{(v, r): GE_ADMITS_PRE for v in PRE for r in (">=0.1.0,<0.2", ">=0.1, <0.2, !=0.1.1")},
    **{(v, "==0.1.0rc1"): PRE_EQUAL for v in ("0.1.0a1", "0.1.0b2", "0.1.0rc2", "0.1.0.dev1")},
    **{(v, "<0.1.0rc2"): PRE_EQUAL for v in ("0.1.0a1", "0.1.0b2", "0.1.0rc1", "0.1.0.dev1")},
    **{(v, ">=0.1.0rc1"): PRE_EQUAL for v in ("0.1.0a1", "0.1.0b2", "0.1.0.dev1")},
    ("0.1.0.post1", "<=0.1.0"): POST_AS_PRE,
    ("0.1.0.post1", "==0.1.0rc1"): POST_AS_PRE,
    **{("0.1.0+local", r): POST_AS_PRE for r in ("==0.1", "==0.1.0", "!=0.1.0", "==0.1.0rc1")},
}


def _cases() -> list[object]:
    cases: list[object] = []
    for version, requirement in itertools.product(VERSIONS, REQUIREMENTS):
        why = KNOWN.get((version, requirement))
        marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
        cases.append(pytest.param(version, requirement, marks=marks, id=f"{version} {requirement}"))
    return cases


@pytest.mark.parametrize(("version", "requirement"), _cases())
def test_agrees_with_packaging(version: str, requirement: str) -> None:
    assert satisfies(version, requirement) == reference(version, requirement)
