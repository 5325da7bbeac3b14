"""The performance cache is used where it pays: schema look-ups and accepted SQL rules."""

from __future__ import annotations

import pytest
from sparkforge import PipelineBuilder
from sparkforge.exceptions import InvalidRuleError
from sparkforge.performance_cache import get_performance_cache
from sparkforge.rules import parse_rules


def test_existing_schema_is_looked_up_once(spark, make_schema) -> None:  # type: ignore[no-untyped-def]
    raw = make_schema("cached")
    cache = get_performance_cache()
    for _ in range(2):
        PipelineBuilder(spark=spark, schema=raw, verbose=False).with_bronze_rules(
            name="events", rules={"id": ["not_null"]}, schema=raw
        )
    key = ("schema_exists", spark.sparkContext.applicationId, raw)
    assert cache.get(key) is True


def test_accepted_sql_rules_are_cached_and_rejections_are_not() -> None:
    cache = get_performance_cache()
    text = "amount > 0 AND amount < 1000000 -- cached"
    rule = "amount BETWEEN 1 AND 99"
    before = cache.get_stats()["hits"]
    parse_rules({"amount": [rule]}, step="s")
    parse_rules({"amount": [rule]}, step="s")
    assert cache.get_stats()["hits"] >= before + 1
    assert cache.get(("sql_rule_accepted", rule)) is True
    with pytest.raises(InvalidRuleError, match="comment"):
        parse_rules({"amount": [text]}, step="s")
    assert cache.get(("sql_rule_accepted", text)) is None
