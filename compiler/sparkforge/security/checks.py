"""Pure security checks: is this table name, schema name or SQL rule safe to use?

Input: a name or a rule string, and the limits (the defaults are `SecurityConfig`'s). Output: None
when it is safe, otherwise a `Problem` naming what is wrong, where, and the fix:

    check_table_name("daily-revenue")
    -> Problem("table name 'daily-revenue' contains '-'; ...", ("... e.g. 'daily_revenue'",))

No state, no audit log: the builder and the compiler call these directly, so compiling a file
leaves no trace in the process. `SecurityManager` wraps them with its switches and its audit log.
SQL verdicts are remembered per (text, functions, limits) with `functools.lru_cache`: large
pipelines repeat the same rule across many steps, and the verdict is a function of those alone.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from sparkforge_runtime.preflight import IDENTIFIER, RESERVED_NAMES

from sparkforge.security.sql_guard import check_expression
from sparkforge.security.sql_tokens import UnsafeRule

__all__ = [
    "DEFAULT_ALLOWED_SQL_FUNCTIONS",
    "Problem",
    "check_schema_name",
    "check_sql_rule",
    "check_table_name",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a name or rule was refused: a one-line message, fixes, and for SQL the culprit token
    and its 0-based position in the rule."""

    message: str
    suggestions: tuple[str, ...] = ()
    token: str | None = None
    position: int | None = None

    def describe(self) -> str:
        """The message, with the 1-based character position when there is one."""
        if self.position is None:
            return self.message
        return f"{self.message} (at character {self.position + 1})"


# Functions a rule may call. Deliberately absent: reflect/java_method (JVM reflection),
# raise_error/assert_true (side effects), rand/uuid (non-deterministic), and every UDF.
DEFAULT_ALLOWED_SQL_FUNCTIONS: frozenset[str] = frozenset(
    {
        # seed example (PySpark names; harmless as SQL)
        "col", "lit", "when", "otherwise",
        # nulls and conditionals
        "coalesce", "nvl", "nvl2", "ifnull", "nullif", "isnull", "isnotnull", "isnan", "nanvl",
        "if", "equal_null", "greatest", "least",
        # strings
        "length", "char_length", "character_length", "len", "octet_length", "bit_length",
        "trim", "ltrim", "rtrim", "btrim", "lower", "upper", "lcase", "ucase", "initcap",
        "substring", "substr", "left", "right", "concat", "concat_ws", "replace", "overlay",
        "regexp_replace", "regexp_extract", "regexp_like", "regexp", "rlike", "like", "ilike",
        "startswith", "endswith", "contains", "instr", "locate", "position", "find_in_set",
        "lpad", "rpad", "split", "split_part", "reverse", "repeat", "translate", "ascii",
        "format_number", "format_string", "levenshtein", "soundex", "to_number",
        "try_to_number", "md5", "sha1", "sha2", "crc32", "hash", "xxhash64", "base64",
        "unbase64", "get_json_object",
        # numbers
        "abs", "round", "bround", "ceil", "ceiling", "floor", "sqrt", "cbrt", "pow", "power",
        "exp", "ln", "log", "log10", "log2", "mod", "pmod", "sign", "signum", "positive",
        "negative", "rint", "try_add", "try_subtract", "try_multiply", "try_divide",
        # dates and times
        "to_date", "to_timestamp", "try_to_timestamp", "date_format", "datediff", "date_diff",
        "date_add", "date_sub", "dateadd", "add_months", "months_between", "current_date",
        "current_timestamp", "now", "year", "month", "day", "dayofmonth", "dayofweek",
        "dayofyear", "weekofyear", "hour", "minute", "second", "quarter", "last_day",
        "next_day", "trunc", "date_trunc", "unix_timestamp", "to_unix_timestamp",
        "from_unixtime", "unix_date", "unix_seconds", "timestamp_seconds", "make_date",
        "make_timestamp", "from_utc_timestamp", "to_utc_timestamp", "date_part", "datepart",
        "timestampadd", "timestampdiff",
        # casts and cast functions
        "cast", "try_cast", "string", "int", "bigint", "double", "float", "boolean", "date",
        "timestamp", "decimal",
        # collections
        "size", "cardinality", "array_contains", "arrays_overlap", "element_at",
        "array_position", "map_contains_key", "array_max", "array_min",
        # aggregates (Spark itself rejects them in row-level contexts)
        "count", "count_if", "sum", "avg", "mean", "min", "max", "bool_and", "bool_or",
    }
)  # fmt: skip

# The reserved words and the identifier pattern of table and schema names have one home, the
# runtime's run-time check of `--log-table` (a job checks names before Spark starts).
def check_table_name(
    name: object, *, max_table_length: int = 128, max_schema_length: int = 64
) -> Problem | None:
    """None if `name` (`table`, `schema.table` or `catalog.schema.table`) is safe; the last part is
    held to `max_table_length`, the others to `max_schema_length`."""
    if not isinstance(name, str):
        return Problem(f"table name must be a string, got {type(name).__name__}")
    parts = name.split(".")
    if len(parts) > 3:
        return Problem(
            f"table name {name!r} has {len(parts)} parts; at most catalog.schema.table is allowed",
            ("write it as 'schema.table' or just 'table'",),
        )
    limits = [*[max_schema_length] * (len(parts) - 1), max_table_length]
    problems = (_check_part(p, limit, "table name", name) for p, limit in zip(parts, limits, strict=True))
    return next((p for p in problems if p is not None), None)


def check_schema_name(name: object, *, max_length: int = 64) -> Problem | None:
    """None if `name` is a safe, unqualified schema name."""
    if not isinstance(name, str):
        return Problem(f"schema name must be a string, got {type(name).__name__}")
    return _check_part(name, max_length, "schema name", name)


def _check_part(text: str, limit: int, what: str, whole: str) -> Problem | None:
    shown = repr(whole) if len(whole) <= 60 else repr(f"{whole[:40]}...")
    if not text:
        return Problem(f"{what} {shown} is empty (or has an empty part around '.')",
                       ("give a name such as 'orders'",))
    if len(text) > limit:
        return Problem(f"{what} {shown} is {len(text)} characters long, the limit is {limit}",
                       (f"shorten it to at most {limit} characters",))
    if text[0].isdigit():
        return Problem(f"{what} {shown} starts with a digit",
                       (f"start it with a letter or underscore, e.g. 't_{text}'",))
    if not IDENTIFIER.fullmatch(text):
        bad = next((c for c in text if not (c.isascii() and (c.isalnum() or c == "_"))), text[0])
        fixed = re.sub(r"[^A-Za-z0-9_]", "_", text)
        fixed = fixed if IDENTIFIER.fullmatch(fixed) else f"_{fixed}"
        return Problem(
            f"{what} {shown} contains {bad!r}; names must match [A-Za-z_][A-Za-z0-9_]*",
            (f"use letters, digits and underscores only, e.g. {fixed[:limit]!r}",),
        )
    if text.upper() in RESERVED_NAMES:
        return Problem(f"{what} {shown} is the reserved SQL keyword {text.upper()}",
                       (f"pick a descriptive name, e.g. '{text.lower()}_data'",))
    return None


def check_sql_rule(
    text: object,
    *,
    functions: frozenset[str] = DEFAULT_ALLOWED_SQL_FUNCTIONS,
    max_length: int = 4096,
    max_depth: int = 64,
) -> Problem | None:
    """None if `text` is exactly one boolean SQL expression within the limits that calls only
    `functions` (lower-case names; calls in the rule match case-insensitively); otherwise the
    culprit and its position."""
    if not isinstance(text, str):
        return _sql_verdict(text, functions, max_length, max_depth)
    return _cached_sql_verdict(text, functions, max_length, max_depth)


def _sql_verdict(
    text: object, functions: frozenset[str], max_length: int, max_depth: int
) -> Problem | None:
    try:
        check_expression(text, functions=functions, max_length=max_length, max_depth=max_depth)
    except UnsafeRule as err:
        return Problem(err.message, err.suggestions, err.token, err.position)
    return None


_cached_sql_verdict = functools.lru_cache(maxsize=4096)(_sql_verdict)
