"""Security checks for pipeline definitions: names, SQL rule strings, permissions and an audit log.

Input: table and schema names, SQL rule strings, and (user, access level, resource) triples.
Output: the same name or expression when it is safe, otherwise an `InputValidationError` or
`SQLInjectionError` that names the culprit, its position and the fix; `True`/`False` for permission
checks; an in-memory audit trail of what was granted, revoked, checked and rejected.

SQL rule strings are checked by a tokenizer and a recursive-descent parser (not by regular
expressions), so text inside string literals is data (`note != '--'` is fine) while the same
characters outside a literal are rejected. See docs/security.md for the exact whitelist semantics.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import NoReturn

from sparkforge._sql_guard import (
    FORBIDDEN_KEYWORDS,
    UnsafeRule,
    check_expression,
    words,
)
from sparkforge.exceptions import SparkForgeError

__all__ = [
    "DEFAULT_ALLOWED_SQL_FUNCTIONS",
    "AccessLevel",
    "AuditEvent",
    "InputValidationError",
    "SQLInjectionError",
    "SecurityConfig",
    "SecurityError",
    "SecurityManager",
    "get_security_manager",
]


class SecurityError(SparkForgeError):
    """Base of the security errors: a message plus concrete suggestions for the fix."""

    def __init__(self, message: str, *, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message, suggestions=suggestions)


class InputValidationError(SecurityError):
    """A table or schema name (or other identifier) that is not safe to use."""


class SQLInjectionError(SecurityError):
    """A SQL rule string that is not exactly one safe boolean expression.

    `message` is one line (what and where); `str()` adds the rule with a caret under `token`.
    """

    def __init__(
        self,
        message: str,
        *,
        suggestions: Sequence[str] = (),
        token: str | None = None,
        position: int | None = None,
        expression: str | None = None,
    ) -> None:
        super().__init__(message, suggestions=suggestions)
        self.token = token
        self.position = position  # 0-based character offset into the expression
        self.expression = expression

    def __str__(self) -> str:
        text, pos = self.expression, self.position
        if text is None or pos is None or len(text) > 200 or "\n" in text:
            return super().__str__()
        caret = " " * pos + "^" * max(1, len(self.token or ""))
        return "\n".join([self.message, f"    {text}", f"    {caret}",
                          *(f"  help: {s}" for s in self.suggestions)])


class AccessLevel(Enum):
    """What a user may do with a resource. ADMIN implies every other level."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"
    EXECUTE = "execute"


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

# Spark's ANSI reserved words: rejected as bare table or schema names (they break unquoted SQL).
_RESERVED_NAMES = FORBIDDEN_KEYWORDS | words(
    """ALL AND ANY AS AUTHORIZATION BOTH CASE CAST CHECK COLLATE COLUMN CONSTRAINT CROSS
    CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DISTINCT ELSE END ESCAPE FALSE FETCH
    FILTER FOR FOREIGN FULL IN INNER IS LEADING LEFT NATURAL NOT NULL ON ONLY OR OUTER OVERLAPS
    PRIMARY REFERENCES RIGHT SESSION_USER SOME THEN TIME TO TRAILING TRUE UNIQUE UNKNOWN USER USING
    WHEN"""
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class SecurityConfig:
    """Switches and limits of a `SecurityManager` (seed names and defaults)."""

    enable_input_validation: bool = True
    enable_sql_injection_protection: bool = True
    enable_audit_logging: bool = True
    max_table_name_length: int = 128
    max_schema_name_length: int = 64
    allowed_sql_functions: frozenset[str] | set[str] = DEFAULT_ALLOWED_SQL_FUNCTIONS
    audit_retention_days: int = 90
    max_sql_expression_length: int = 4096
    max_expression_depth: int = 64
    max_audit_entries: int = 10_000

    def __post_init__(self) -> None:
        for name in ("max_table_name_length", "max_schema_name_length", "audit_retention_days",
                     "max_sql_expression_length", "max_expression_depth", "max_audit_entries"):
            if getattr(self, name) < 1:
                raise ValueError(f"SecurityConfig.{name} must be >= 1, got {getattr(self, name)}")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audited action: when, what, who, on which resource, and how it ended."""

    timestamp: datetime
    action: str
    user: str
    resource: str
    outcome: str
    detail: str = ""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SecurityManager:
    """Validates names and SQL rules, keeps grants, and records an audit log. Thread-safe."""

    def __init__(
        self,
        config: SecurityConfig | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.config = config or SecurityConfig()
        self._functions = frozenset(f.lower() for f in self.config.allowed_sql_functions)
        self._clock = clock
        self._lock = threading.RLock()
        self._grants: dict[tuple[str, str], set[AccessLevel]] = {}
        self._audit: deque[AuditEvent] = deque(maxlen=self.config.max_audit_entries)

    # -- names -------------------------------------------------------------------------------

    def validate_table_name(self, name: str) -> str:
        """Return `name` (`table`, `schema.table` or `catalog.schema.table`) if it is safe."""
        if not self.config.enable_input_validation:
            return name
        parts = self._split_name(name, "table name")
        limits = [self.config.max_schema_name_length] * (len(parts) - 1)
        for part, limit in zip(parts, [*limits, self.config.max_table_name_length], strict=True):
            self._check_identifier(part, limit, "table name", name)
        return name

    def validate_schema_name(self, name: str) -> str:
        """Return `name` if it is a safe, unqualified schema name."""
        if not self.config.enable_input_validation:
            return name
        self._check_identifier(name, self.config.max_schema_name_length, "schema name", name)
        return name

    def _split_name(self, name: object, what: str) -> list[str]:
        if not isinstance(name, str):
            self._reject_name(f"{what} must be a string, got {type(name).__name__}", str(name), ())
        parts = str(name).split(".")
        if len(parts) > 3:
            self._reject_name(
                f"{what} {name!r} has {len(parts)} parts; at most catalog.schema.table is allowed",
                str(name), ("write it as 'schema.table' or just 'table'",),
            )
        return parts

    def _check_identifier(self, part: object, limit: int, what: str, whole: object) -> None:
        shown = repr(whole) if len(str(whole)) <= 60 else repr(f"{str(whole)[:40]}...")
        if not isinstance(part, str):
            self._reject_name(f"{what} must be a string, got {type(part).__name__}", str(part), ())
        text = str(part)
        if not text:
            self._reject_name(f"{what} {shown} is empty (or has an empty part around '.')",
                              str(whole), ("give a name such as 'orders'",))
        if len(text) > limit:
            self._reject_name(
                f"{what} {shown} is {len(text)} characters long, the limit is {limit}",
                str(whole), (f"shorten it to at most {limit} characters",),
            )
        if text[0].isdigit():
            self._reject_name(f"{what} {shown} starts with a digit", str(whole),
                              (f"start it with a letter or underscore, e.g. 't_{text}'",))
        if not _IDENTIFIER.fullmatch(text):
            bad = next((c for c in text if not (c.isascii() and (c.isalnum() or c == "_"))), text[0])
            fixed = re.sub(r"[^A-Za-z0-9_]", "_", text)
            fixed = fixed if _IDENTIFIER.fullmatch(fixed) else f"_{fixed}"
            self._reject_name(
                f"{what} {shown} contains {bad!r}; names must match [A-Za-z_][A-Za-z0-9_]*",
                str(whole), (f"use letters, digits and underscores only, e.g. {fixed[:limit]!r}",),
            )
        if text.upper() in _RESERVED_NAMES:
            self._reject_name(
                f"{what} {shown} is the reserved SQL keyword {text.upper()}",
                str(whole), (f"pick a descriptive name, e.g. '{text.lower()}_data'",),
            )

    def _reject_name(self, message: str, resource: str, suggestions: Sequence[str]) -> NoReturn:
        self._audit_event("validate_name", "system", resource, "rejected", message)
        raise InputValidationError(message, suggestions=suggestions)

    # -- SQL rules ---------------------------------------------------------------------------

    def validate_sql_expression(self, expression: str) -> str:
        """Return `expression` if it is exactly one boolean expression using allowed functions."""
        if not self.config.enable_sql_injection_protection:
            return expression
        try:
            check_expression(
                expression,
                functions=self._functions,
                max_length=self.config.max_sql_expression_length,
                max_depth=self.config.max_expression_depth,
            )
        except UnsafeRule as err:
            self._audit_event("validate_sql", "system", str(expression)[:200], "rejected",
                              err.message)
            raise SQLInjectionError(
                f"{err.message} (at character {err.position + 1})",
                suggestions=err.suggestions, token=err.token, position=err.position,
                expression=expression if isinstance(expression, str) else None,
            ) from None
        return expression

    # -- permissions ---------------------------------------------------------------------------

    def grant_permission(self, user: str, level: AccessLevel, resource: str) -> None:
        """Give `user` the `level` on `resource` (and everything under it, see `check_...`)."""
        self._check_grant_args(user, level, resource)
        with self._lock:
            self._grants.setdefault((user, resource), set()).add(level)
            self._audit_event("grant", user, resource, "granted", level.name)

    def revoke_permission(self, user: str, level: AccessLevel, resource: str) -> bool:
        """Remove exactly this grant; True when it existed. Broader grants stay in force."""
        self._check_grant_args(user, level, resource)
        with self._lock:
            levels = self._grants.get((user, resource), set())
            existed = level in levels
            levels.discard(level)
            if not levels:
                self._grants.pop((user, resource), None)
            self._audit_event("revoke", user, resource, "revoked" if existed else "absent",
                              level.name)
            return existed

    def check_access_permission(self, user: str, level: AccessLevel, resource: str) -> bool:
        """True if `user` holds `level` or ADMIN on `resource`, on a dotted prefix of it, or on '*'.

        A grant on `analytics` covers `analytics.orders`; levels other than ADMIN do not imply
        one another (WRITE does not grant READ).
        """
        self._check_grant_args(user, level, resource)
        parts = resource.split(".")
        scopes = ["*", *(".".join(parts[: i + 1]) for i in range(len(parts)))]
        with self._lock:
            held = set().union(*(self._grants.get((user, s), set()) for s in scopes))
            allowed = level in held or AccessLevel.ADMIN in held
            self._audit_event("check", user, resource, "allowed" if allowed else "denied",
                              level.name)
        return allowed

    def get_user_permissions(self, user: str) -> dict[str, set[AccessLevel]]:
        """The grants `user` holds directly, resource -> levels (a copy)."""
        with self._lock:
            return {res: set(lv) for (u, res), lv in self._grants.items() if u == user}

    @staticmethod
    def _check_grant_args(user: object, level: object, resource: object) -> None:
        if not isinstance(user, str) or not user.strip():
            raise InputValidationError(f"user must be a non-empty string, got {user!r}")
        if not isinstance(level, AccessLevel):
            raise InputValidationError(
                f"level must be an AccessLevel, got {level!r}",
                suggestions=[f"use one of {', '.join(f'AccessLevel.{a.name}' for a in AccessLevel)}"],
            )
        if not isinstance(resource, str) or not resource.strip():
            raise InputValidationError(f"resource must be a non-empty string, got {resource!r}")

    # -- audit log -------------------------------------------------------------------------------

    def get_audit_log(self, *, user: str | None = None, action: str | None = None) -> list[AuditEvent]:
        """Audit events still within retention, oldest first, optionally filtered."""
        with self._lock:
            self._prune()
            return [e for e in self._audit
                    if (user is None or e.user == user) and (action is None or e.action == action)]

    def clear_audit_log(self) -> None:
        with self._lock:
            self._audit.clear()

    def _audit_event(self, action: str, user: str, resource: str, outcome: str, detail: str) -> None:
        if not self.config.enable_audit_logging:
            return
        with self._lock:
            self._audit.append(AuditEvent(self._clock(), action, user, resource, outcome, detail))
            self._prune()

    def _prune(self) -> None:
        cutoff = self._clock() - timedelta(days=self.config.audit_retention_days)
        while self._audit and self._audit[0].timestamp < cutoff:
            self._audit.popleft()


_default_manager: SecurityManager | None = None
_default_lock = threading.Lock()


def get_security_manager() -> SecurityManager:
    """The process-wide default `SecurityManager`, created on first use."""
    global _default_manager
    if _default_manager is None:
        with _default_lock:
            if _default_manager is None:
                _default_manager = SecurityManager()
    return _default_manager

