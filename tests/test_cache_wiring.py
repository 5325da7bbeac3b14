"""Caches where they pay, and none process-wide: schema look-ups are remembered per builder, SQL
rule verdicts by `functools.lru_cache` on the pure check."""

from __future__ import annotations

import pytest
from sparkforge import PipelineBuilder
from sparkforge.exceptions import InvalidRuleError
from sparkforge.performance_cache import get_performance_cache
from sparkforge.rules import parse_rules
from sparkforge.security.checks import _cached_sql_verdict


def test_existing_schema_is_looked_up_once_per_builder(spark, make_schema, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    raw = make_schema("cached")
    calls: list[str] = []
    real = spark.catalog.databaseExists

    def counted(name: str) -> bool:
        calls.append(name)
        return bool(real(name))

    monkeypatch.setattr(spark.catalog, "databaseExists", counted)
    used = _uses()
    for _ in range(2):
        builder = PipelineBuilder(spark=spark, schema=raw, verbose=False)
        for name in ("events", "clicks"):
            builder.with_bronze_rules(name=name, rules={"id": ["not_null"]}, schema=raw)
    assert calls == [raw, raw]
    assert _uses() == used  # the process-wide cache is not involved


def test_sql_rule_verdicts_are_memoised_by_the_pure_check_not_the_process_cache() -> None:
    text = "amount > 0 AND amount < 1000000 -- cached"
    rule = "amount BETWEEN 1 AND 99"
    used, before = _uses(), _cached_sql_verdict.cache_info().hits
    parse_rules({"amount": [rule]}, step="s")
    parse_rules({"amount": [rule]}, step="s")
    assert _cached_sql_verdict.cache_info().hits >= before + 1
    for _ in range(2):  # a rejection is reported afresh each time, from the remembered verdict
        with pytest.raises(InvalidRuleError, match="comment"):
            parse_rules({"amount": [text]}, step="s")
    assert _uses() == used


def _uses() -> tuple[int, int, int]:
    stats = get_performance_cache().get_stats()
    return stats["puts"], stats["hits"], stats["misses"]
