"""The runtime's own version check agrees with `packaging`, the reference for version specifiers.

The runtime may import only pyspark, delta and the standard library, so `satisfies` parses PEP 440
versions itself; here it is compared with `SpecifierSet(requirement).contains(version,
prereleases=True)` on plain releases, on a corpus of pre-, dev-, post- and local releases with four
and five parts, and on generated versions and requirements. They agree everywhere. No Spark.
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

@pytest.mark.parametrize(("version", "requirement"), list(itertools.product(VERSIONS, REQUIREMENTS)))
def test_agrees_with_packaging(version: str, requirement: str) -> None:
    assert satisfies(version, requirement) == reference(version, requirement)


pre_labels = st.sampled_from(
    ("", "a1", "b2", "rc1", "rc2", ".dev0", ".dev3", ".post1", "rc1.dev1", ".post1.dev2", "a1.post2.dev1", "+local.7")
)
versions = st.tuples(releases, pre_labels).map("".join)
# a local label is allowed in == and != clauses only (PEP 440)
clauses_of_any = st.tuples(st.sampled_from(OPERATORS), versions).filter(
    lambda c: "+" not in c[1] or c[0] in ("==", "!=")
).map("".join)


@given(version=versions, requirement=st.lists(clauses_of_any, min_size=1, max_size=3).map(", ".join))
def test_agrees_on_pre_post_dev_and_local_versions(version: str, requirement: str) -> None:
    assert satisfies(version, requirement) == reference(version, requirement)


def test_a_version_that_is_not_one_never_fits() -> None:
    assert not satisfies("unknown", ">=0.1.0,<0.2")
    assert not satisfies("0.1.0", ">=zero")
