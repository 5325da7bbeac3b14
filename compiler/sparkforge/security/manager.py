"""`SecurityManager`: the security checks with switches and an audit log, plus access grants.

Input: table and schema names, SQL rule strings, and (user, access level, resource) triples.
Output: the same name or expression when it is safe, otherwise an `InputValidationError` or
`SQLInjectionError` that names the culprit, its position and the fix; `True`/`False` for permission
checks; an in-memory audit trail of what was granted, revoked, checked and rejected.

The checks themselves are the pure functions of `checks`; the builder and the compiler call those
directly. A manager is for applications that want the switches, the grants or the audit trail, and
each instance keeps its own. See docs/security.md for the exact whitelist semantics.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from sparkforge.security.checks import (
    DEFAULT_ALLOWED_SQL_FUNCTIONS,
    Problem,
    check_schema_name,
    check_sql_rule,
    check_table_name,
)
from sparkforge.security.errors import InputValidationError, name_error, sql_error

__all__ = [
    "AccessLevel",
    "AuditEvent",
    "SecurityConfig",
    "SecurityManager",
    "get_security_manager",
]


class AccessLevel(Enum):
    """What a user may do with a resource. ADMIN implies every other level."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"
    EXECUTE = "execute"


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
        self._reject_name(name, check_table_name(
            name, max_table_length=self.config.max_table_name_length,
            max_schema_length=self.config.max_schema_name_length))
        return name

    def validate_schema_name(self, name: str) -> str:
        """Return `name` if it is a safe, unqualified schema name."""
        if not self.config.enable_input_validation:
            return name
        self._reject_name(name, check_schema_name(name, max_length=self.config.max_schema_name_length))
        return name

    def _reject_name(self, name: object, problem: Problem | None) -> None:
        if problem is None:
            return
        self._audit_event("validate_name", "system", str(name), "rejected", problem.message)
        raise name_error(problem)

    # -- SQL rules ---------------------------------------------------------------------------

    def validate_sql_expression(self, expression: str) -> str:
        """Return `expression` if it is exactly one boolean expression using allowed functions."""
        if not self.config.enable_sql_injection_protection:
            return expression
        problem = check_sql_rule(
            expression, functions=self._functions,
            max_length=self.config.max_sql_expression_length,
            max_depth=self.config.max_expression_depth,
        )
        if problem is not None:
            self._audit_event("validate_sql", "system", str(expression)[:200], "rejected",
                              problem.message)
            raise sql_error(problem, expression) from None
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

