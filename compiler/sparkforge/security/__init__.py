"""Security for pipeline definitions (the seed's `sparkforge.security`): safe names, safe SQL rules,
access grants and an audit log.

Modules, lowest first: `sql_guard` (tokenizer and parser that decide whether a SQL rule is one safe
boolean expression), `checks` (pure functions over names and rules, returning a `Problem` or None),
`errors` (the exceptions), `manager` (`SecurityManager`: the checks with switches, grants and an
audit log per instance). The builder and the compiler use `checks` only, so they keep no state.
"""

from __future__ import annotations

from sparkforge.security.checks import (
    DEFAULT_ALLOWED_SQL_FUNCTIONS,
    Problem,
    check_schema_name,
    check_sql_rule,
    check_table_name,
)
from sparkforge.security.errors import InputValidationError, SecurityError, SQLInjectionError
from sparkforge.security.manager import (
    AccessLevel,
    AuditEvent,
    SecurityConfig,
    SecurityManager,
    get_security_manager,
)

__all__ = [
    "DEFAULT_ALLOWED_SQL_FUNCTIONS",
    "AccessLevel",
    "AuditEvent",
    "InputValidationError",
    "Problem",
    "SQLInjectionError",
    "SecurityConfig",
    "SecurityError",
    "SecurityManager",
    "check_schema_name",
    "check_sql_rule",
    "check_table_name",
    "get_security_manager",
]
