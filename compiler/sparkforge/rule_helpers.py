"""Ready-made rule dicts and timestamp-column detection (the builder's static helpers).

Input: column names, or a schema. Output: rules as plain data (shorthand strings), so that the
compiler can read them as well as the runner, and so that their `_failed_rules` labels are readable:

    not_null_rules(["id", "ts"])              ->  {"id": ["not_null"], "ts": ["not_null"]}
    detect_timestamp_columns(["created_at", "products", "eventTime"])  ->  ["created_at", "eventTime"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyspark.sql import DataFrame
from pyspark.sql.types import DateType, StructType, TimestampNTZType, TimestampType

from sparkforge.exceptions import ValidationError

__all__ = [
    "detect_timestamp_columns",
    "not_null_rules",
    "positive_number_rules",
    "string_not_empty_rules",
    "timestamp_rules",
]

# Name tokens that mark a time column. Matching whole tokens (not substrings) keeps "products" from
# matching "ts" and "created_by" (a user) from matching "created".
_TIME_WORDS = frozenset({"timestamp", "ts", "datetime", "date", "time", "dttm", "dt"})
_LAST_ONLY = frozenset({"at", "created", "updated", "modified"})  # created_at, last_updated
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _columns(columns: Iterable[str] | str) -> list[str]:
    names = [columns] if isinstance(columns, str) else list(columns)
    bad = [c for c in names if not isinstance(c, str) or not c.strip()]
    if bad:
        raise ValidationError(f"column names must be non-empty strings, got {bad!r}")
    return names


def _rules(columns: Iterable[str] | str, *items: str) -> dict[str, list[str]]:
    return {column: list(items) for column in _columns(columns)}


def not_null_rules(columns: Iterable[str] | str) -> dict[str, list[str]]:
    """Each column must not be NULL."""
    return _rules(columns, "not_null")


def positive_number_rules(columns: Iterable[str] | str) -> dict[str, list[str]]:
    """Each column must be > 0 (so NULL fails too)."""
    return _rules(columns, "positive")


def string_not_empty_rules(columns: Iterable[str] | str) -> dict[str, list[str]]:
    """Each column must be a non-NULL string of length > 0."""
    return _rules(columns, "not_empty")


def timestamp_rules(columns: Iterable[str] | str) -> dict[str, list[str]]:
    """Each timestamp column must be present (not NULL); its type is the table schema's business."""
    return _rules(columns, "not_null")


def _tokens(name: str) -> list[str]:
    """snake_case, kebab-case and camelCase words, lower-cased: "eventTS_utc" -> event, ts, utc."""
    return [t.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for t in _TOKEN.findall(part)]


def _named_like_time(name: str) -> bool:
    tokens = _tokens(name)
    if not tokens:
        return False
    first, last = tokens[0], tokens[-1]
    return first in _TIME_WORDS or last in _TIME_WORDS or last in _LAST_ONLY


def detect_timestamp_columns(schema: StructType | DataFrame | Iterable[str]) -> list[str]:
    """Columns that hold times: by type (timestamp, date) when a schema is given, and by name.

    A name matches when its first or last word is timestamp, ts, datetime, date, time, dttm or dt,
    or its last word is at, created, updated or modified (created_at, eventTime, last_updated).
    """
    if isinstance(schema, DataFrame):
        schema = schema.schema
    if isinstance(schema, StructType):
        time_types = (TimestampType, TimestampNTZType, DateType)
        return [
            f.name
            for f in schema.fields
            if isinstance(f.dataType, time_types) or _named_like_time(f.name)
        ]
    return [name for name in _columns(schema) if _named_like_time(name)]
