"""Compiling and defining pipelines leave no trace in the process: no audit events, no cache entries.

The security checks the builder and the compiler use are pure functions; `SecurityManager` (with its
audit log) and the process-wide `PerformanceCache` are public API for applications, not used here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sparkforge import builder_checks as bc
from sparkforge.compiler.api import compile_source
from sparkforge.compiler.diagnostics import CompileError
from sparkforge.compiler.read.decode_source import decode_source
from sparkforge.exceptions import ConfigurationError, InvalidRuleError
from sparkforge.performance_cache import get_performance_cache
from sparkforge.rules import parse_rules
from sparkforge.security import (
    SecurityManager,
    check_schema_name,
    check_sql_rule,
    check_table_name,
    get_security_manager,
)

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = sorted(
    [*(ROOT / "tests" / "cases").glob("*/pipeline.py"),
     *(ROOT / "tests" / "bad_inputs").glob("*/pipeline.py")]
)


@pytest.fixture
def audit_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """Every audit event any `SecurityManager` records while the test runs."""
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(SecurityManager, "_audit_event",
                        lambda self, *event: calls.append(event))
    yield calls


def _cache_use() -> tuple[int, int, int]:
    stats = get_performance_cache().get_stats()
    return stats["puts"], stats["hits"], stats["misses"]


@pytest.mark.parametrize("pipeline", PIPELINES, ids=lambda p: p.parent.name)
def test_compiling_records_no_audit_event_and_uses_no_process_cache(
    pipeline: Path, audit_calls: list[tuple[Any, ...]]
) -> None:
    before, logged = _cache_use(), len(get_security_manager().get_audit_log())
    try:
        text = decode_source(pipeline.read_bytes(), str(pipeline))
    except CompileError:
        return  # a file Python cannot read: nothing is compiled
    compile_source(text, str(pipeline))
    assert audit_calls == []
    assert len(get_security_manager().get_audit_log()) == logged
    assert _cache_use() == before


def test_builder_checks_of_bad_names_and_rules_record_nothing(
    audit_calls: list[tuple[Any, ...]]
) -> None:
    before = _cache_use()
    with pytest.raises(ConfigurationError, match="invalid schema name"):
        bc.check_identifier("schema", "raw-data", None)
    with pytest.raises(InvalidRuleError, match="second statement"):
        parse_rules({"id": ["id > 0; DROP TABLE users"]}, step="s")
    assert audit_calls == [] and _cache_use() == before


def test_the_manager_still_audits_what_it_rejects() -> None:
    sm = SecurityManager()
    with pytest.raises(Exception, match="contains '-'"):
        sm.validate_table_name("daily-revenue")
    assert [e.action for e in sm.get_audit_log()] == ["validate_name"]
    assert get_security_manager() is not sm


@pytest.mark.parametrize(
    ("text", "token", "position"),
    [("amount > 0; DROP TABLE t", ";", 10), ("my_udf(a) > 0", "my_udf", 0), ("a > 0 --", "--", 6)],
)
def test_pure_sql_check_names_the_culprit(text: str, token: str, position: int) -> None:
    problem = check_sql_rule(text)
    assert problem is not None and (problem.token, problem.position) == (token, position)
    assert problem.describe().endswith(f"(at character {position + 1})")
    assert check_sql_rule("amount > 0") is None


def test_pure_name_checks() -> None:
    assert check_table_name("analytics.orders") is None
    assert check_schema_name("raw_data") is None
    problem = check_table_name("x" * 11, max_table_length=10)
    assert problem is not None and "limit is 10" in problem.message
    assert check_schema_name("select") is not None
