"""SecurityManager: name validation, the SQL rule checker, permissions and the audit log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sparkforge.security import (
    DEFAULT_ALLOWED_SQL_FUNCTIONS,
    AccessLevel,
    InputValidationError,
    SecurityConfig,
    SecurityError,
    SecurityManager,
    SQLInjectionError,
    get_security_manager,
)

# -- corpora ----------------------------------------------------------------------------------

MALICIOUS_SQL = [
    ("amount > 0; DROP TABLE users", ";"),
    ("1=1; DELETE FROM orders", ";"),
    ("amount > 0 ;", ";"),
    ("amount > 0\n; DROP TABLE t", ";"),
    ("amount > 0 -- ignore the rest", "--"),
    ("amount > 0 /* hidden */", "/*"),
    ("amount > 0 */", "*/"),
    ("amount > 0 # mysql comment", "#"),
    ("`a` = 1 OR 1=1 --", "--"),
    ("DROP TABLE orders", "DROP"),
    ("DELETE FROM orders WHERE 1=1", "DELETE"),
    ("INSERT INTO t VALUES (1)", "INSERT"),
    ("UPDATE orders SET amount = 0", "UPDATE"),
    ("MERGE INTO t USING s ON t.id = s.id", "MERGE"),
    ("CREATE TABLE evil AS SELECT 1", "CREATE"),
    ("ALTER TABLE orders DROP COLUMN amount", "ALTER"),
    ("TRUNCATE TABLE orders", "TRUNCATE"),
    ("GRANT ALL ON orders TO public", "GRANT"),
    ("REVOKE ALL ON orders FROM analyst", "REVOKE"),
    ("amount > (SELECT max(amount) FROM orders)", "SELECT"),
    ("id IN (SELECT id FROM secrets)", "SELECT"),
    ("1 = 1 UNION SELECT password FROM users", "UNION"),
    ("EXEC xp_cmdshell 'dir'", "EXEC"),
    ("CALL system.rollback_to_snapshot('db.t', 1)", "CALL"),
    ("SET spark.sql.ansi.enabled = false", "SET"),
    ("USE other_db", "USE"),
    ("LOAD DATA INPATH '/etc/passwd' INTO TABLE t", "LOAD"),
    ("REFRESH TABLE orders", "REFRESH"),
    ("CACHE TABLE orders", "CACHE"),
    ("SHOW TABLES", "SHOW"),
    ("VACUUM orders RETAIN 0 HOURS", "VACUUM"),
    ("reflect('java.lang.Runtime', 'getRuntime') IS NOT NULL", "reflect"),
    ("java_method('java.lang.System', 'exit', 0) = 1", "java_method"),
    ("sleep(1000) = 0", "sleep"),
    ("my_udf(amount) > 0", "my_udf"),
    ("raise_error('boom') IS NULL", "raise_error"),
    ("db.evil_fn(amount) > 0", "evil_fn"),
    ("'${spark.hadoop.fs.s3a.secret.key}' = ''", "${"),
    ("amount > 0'", "'"),
    ("name = \"unterminated", '"'),
    ("(amount > 0", ""),
    ("amount > 0)", ")"),
    ("amount > 0 AND", ""),
    ("amount > 0 amount < 5", "amount"),
    ("amount + 1", "amount + 1"),
    ("'just a string'", "'just a string'"),
    ("amount $ 1", "$"),
    ("", ""),
    ("   ", ""),
    ("x" * 5000, "xxxxxxxxxx"),
    ("(" * 80 + "a" + ")" * 80, "("),
    ("CAST(a AS ARRAY<INT>) IS NULL", "ARRAY"),
]

LEGITIMATE_SQL = [
    "amount > 0",
    "amount >= 0 AND amount < 1e6",
    "status IN ('active', 'pending')",
    "status NOT IN ('deleted')",
    "email IS NOT NULL",
    "email IS NULL OR email LIKE '%@%'",
    "name RLIKE '^[A-Z]'",
    "name ILIKE 'a%'",
    "length(trim(name)) > 0",
    "coalesce(discount, 0) BETWEEN 0 AND 100",
    "amount NOT BETWEEN -5 AND -1",
    "to_date(event_date) <= current_date()",
    "datediff(current_date(), to_date(created_at)) < 365",
    "CAST(amount AS DECIMAL(12, 2)) > 0",
    "CASE WHEN kind = 'refund' THEN amount < 0 ELSE amount >= 0 END",
    "note != '--'",
    "comment <> '/* not a comment */ ; DROP TABLE x'",
    "text = 'it''s fine; really'",
    "`select` = 1",
    "`order id` > 0",
    "NOT (a = 1 OR b = 2)",
    "flag",
    "flag = TRUE",
    "a IS DISTINCT FROM b",
    "a IS NOT DISTINCT FROM b",
    "year(ts) >= 2020",
    "upper(country) = 'DE'",
    "amount % 2 = 0",
    "x::int > 0",
    "ts >= current_timestamp() - INTERVAL 7 DAYS",
    "d > DATE '2024-01-01'",
    "abs(round(x, 2)) < 10.5",
    "size(tags) > 0",
    "element_at(tags, 1) = 'a'",
    "m['key'] = 'v'",
    "s.field > 1",
    "regexp_like(phone, '^[0-9]+$')",
    "isnotnull(id) AND isnull(deleted_at)",
    "id > 100L",
    "concat(a, b) = 'ab' OR a || b = 'ab'",
    "nvl(a, 0) <=> 0",
    "date_format(ts, 'yyyy-MM') = '2024-01'",
    "substring(code, 1, 2) IN ('DE', 'FR')",
    "-amount < 0",
    "to_timestamp(raw_ts) IS NOT NULL",
    "month(d) BETWEEN 1 AND 12 AND day(d) >= 1",
    "CAST(flag_text AS BOOLEAN)",
    "amount > 0 and status = 'ok'",
]

MALICIOUS_NAMES = [
    "orders; DROP TABLE x",
    "orders--",
    "orders/*",
    "drop table",
    "ord ers",
    "1orders",
    "",
    "a.b.c.d",
    "x" * 129,
    "select",
    "DROP",
    "schema.",
    ".orders",
    "orders`",
    "orders'",
    'orders"',
    "bronze.orders;",
    "ordérs",
    "table$",
    "a-b",
    "tab\tle",
    "../etc/passwd",
    "user",
    "orders\n",
    "s" * 65 + ".orders",
    "bronze.union",
    "x OR 1=1",
    "orders)",
    "${hiveconf:x}",
    "o%rders",
]

LEGITIMATE_NAMES = [
    "orders",
    "bronze_events",
    "_tmp",
    "a",
    "Orders2024",
    "analytics.orders",
    "spark_catalog.analytics.orders",
    "x" * 128,
    "s" * 64 + ".orders",
    "silver__clean",
    "user_events",
    "selected",
    "drop_zone",
    "gold_daily_revenue",
    "T1",
]


@pytest.fixture
def sm() -> SecurityManager:
    return SecurityManager()


# -- SQL rule strings ----------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "token"), MALICIOUS_SQL)
def test_malicious_sql_is_rejected_with_token_and_position(
    sm: SecurityManager, expression: str, token: str
) -> None:
    with pytest.raises(SQLInjectionError) as info:
        sm.validate_sql_expression(expression)
    err = info.value
    assert err.token is not None and err.position is not None
    assert err.token.upper().startswith(token.upper()) or token == ""
    if token:
        assert expression[err.position :].upper().startswith(err.token.upper())
    assert err.message.endswith(f"(at character {err.position + 1})")
    assert "\n" not in err.message  # one line, for callers that embed it


@pytest.mark.parametrize("expression", LEGITIMATE_SQL)
def test_legitimate_sql_is_accepted_and_returned(sm: SecurityManager, expression: str) -> None:
    assert sm.validate_sql_expression(expression) == expression


def test_corpora_are_big_enough() -> None:
    assert len(MALICIOUS_SQL) + len(MALICIOUS_NAMES) >= 30
    assert len(LEGITIMATE_SQL) >= 30 and len(LEGITIMATE_NAMES) >= 15


def test_legitimate_sql_is_also_valid_spark_sql(spark) -> None:  # type: ignore[no-untyped-def]
    from pyspark.sql import functions as F

    for expression in LEGITIMATE_SQL:
        F.expr(expression)  # Spark parses eagerly; raises ParseException on invalid SQL


def test_error_message_has_caret_and_help(sm: SecurityManager) -> None:
    with pytest.raises(SQLInjectionError) as info:
        sm.validate_sql_expression("amount > 0; DROP TABLE t")
    text = str(info.value)
    assert "';' would start a second statement" in text
    assert "    amount > 0; DROP TABLE t\n              ^" in text
    assert "help: remove the ';'" in text
    assert info.value.position == 10


def test_keyword_named_column_hint(sm: SecurityManager) -> None:
    with pytest.raises(SQLInjectionError) as info:
        sm.validate_sql_expression("update > 0")
    assert any("`update`" in s for s in info.value.suggestions)


def test_function_allow_list_is_case_insensitive_and_configurable() -> None:
    sm = SecurityManager(SecurityConfig(allowed_sql_functions={"COALESCE", "col"}))
    assert sm.validate_sql_expression("CoAlEsCe(a, 0) > 0")
    with pytest.raises(SQLInjectionError, match=r"function length\(\) is not in the allowed"):
        sm.validate_sql_expression("length(a) > 0")
    with pytest.raises(SQLInjectionError, match="CAST"):
        sm.validate_sql_expression("CAST(a AS INT) > 0")  # cast is a function too


def test_default_allow_list_contains_the_seed_names_and_common_functions() -> None:
    assert {"col", "lit", "when", "otherwise", "coalesce", "rlike", "cast", "to_date"} <= (
        DEFAULT_ALLOWED_SQL_FUNCTIONS
    )
    assert not {"reflect", "java_method", "raise_error"} & DEFAULT_ALLOWED_SQL_FUNCTIONS


def test_limits_are_configurable() -> None:
    sm = SecurityManager(SecurityConfig(max_sql_expression_length=20, max_expression_depth=3))
    assert sm.validate_sql_expression("((a > 0))")
    with pytest.raises(SQLInjectionError, match="limit is 20"):
        sm.validate_sql_expression("amount > 0 AND amount < 100")
    with pytest.raises(SQLInjectionError, match="deeper than 3"):
        sm.validate_sql_expression("((((a > 0))))")


def test_non_string_rule_is_rejected(sm: SecurityManager) -> None:
    with pytest.raises(SQLInjectionError, match="must be a string"):
        sm.validate_sql_expression(42)  # type: ignore[arg-type]


def test_protection_can_be_disabled() -> None:
    sm = SecurityManager(SecurityConfig(enable_sql_injection_protection=False,
                                        enable_input_validation=False))
    assert sm.validate_sql_expression("DROP TABLE x") == "DROP TABLE x"
    assert sm.validate_table_name("a b") == "a b"


# -- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MALICIOUS_NAMES)
def test_malicious_names_are_rejected(sm: SecurityManager, name: str) -> None:
    with pytest.raises(InputValidationError) as info:
        sm.validate_table_name(name)
    assert "table name" in info.value.message
    if "." not in name:
        with pytest.raises(InputValidationError, match="schema name"):
            sm.validate_schema_name(name)


@pytest.mark.parametrize("name", LEGITIMATE_NAMES)
def test_legitimate_table_names_are_accepted(sm: SecurityManager, name: str) -> None:
    assert sm.validate_table_name(name) == name


@pytest.mark.parametrize("name", ["bronze", "raw_data", "tenant_42", "s" * 64])
def test_legitimate_schema_names_are_accepted(sm: SecurityManager, name: str) -> None:
    assert sm.validate_schema_name(name) == name


def test_name_errors_suggest_a_fix(sm: SecurityManager) -> None:
    with pytest.raises(InputValidationError) as info:
        sm.validate_table_name("daily-revenue")
    assert "'-'" in info.value.message and "'daily_revenue'" in str(info.value)
    with pytest.raises(InputValidationError, match="starts with a digit"):
        sm.validate_table_name("2024_orders")
    with pytest.raises(InputValidationError, match="reserved SQL keyword SELECT"):
        sm.validate_schema_name("select")
    with pytest.raises(InputValidationError, match="65 characters long, the limit is 64"):
        sm.validate_schema_name("s" * 65)


def test_configured_length_limits() -> None:
    sm = SecurityManager(SecurityConfig(max_table_name_length=10, max_schema_name_length=5))
    assert sm.validate_table_name("abcde.abcdefghij")
    with pytest.raises(InputValidationError, match="limit is 10"):
        sm.validate_table_name("abcdefghijk")
    with pytest.raises(InputValidationError, match="limit is 5"):
        sm.validate_table_name("abcdef.t")


def test_non_string_name_is_rejected(sm: SecurityManager) -> None:
    with pytest.raises(InputValidationError, match="must be a string"):
        sm.validate_table_name(None)  # type: ignore[arg-type]
    with pytest.raises(InputValidationError, match="must be a string"):
        sm.validate_schema_name(3)  # type: ignore[arg-type]


def test_config_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="max_table_name_length"):
        SecurityConfig(max_table_name_length=0)


def test_security_error_carries_message_and_suggestions() -> None:
    err = SecurityError("bad thing", suggestions=["do this", "or that"])
    assert err.message == "bad thing" and err.suggestions == ("do this", "or that")
    assert str(err) == "bad thing\n  hint: do this\n  hint: or that"
    assert issubclass(InputValidationError, SecurityError)
    assert issubclass(SQLInjectionError, SecurityError)


# -- permissions ------------------------------------------------------------------------------


def test_grant_check_revoke(sm: SecurityManager) -> None:
    assert not sm.check_access_permission("ana", AccessLevel.READ, "analytics.orders")
    sm.grant_permission("ana", AccessLevel.READ, "analytics.orders")
    assert sm.check_access_permission("ana", AccessLevel.READ, "analytics.orders")
    assert not sm.check_access_permission("ana", AccessLevel.WRITE, "analytics.orders")
    assert not sm.check_access_permission("bob", AccessLevel.READ, "analytics.orders")
    assert sm.revoke_permission("ana", AccessLevel.READ, "analytics.orders") is True
    assert sm.revoke_permission("ana", AccessLevel.READ, "analytics.orders") is False
    assert not sm.check_access_permission("ana", AccessLevel.READ, "analytics.orders")


def test_admin_implies_every_level(sm: SecurityManager) -> None:
    sm.grant_permission("root", AccessLevel.ADMIN, "analytics.orders")
    for level in AccessLevel:
        assert sm.check_access_permission("root", level, "analytics.orders")
    assert not sm.check_access_permission("root", AccessLevel.READ, "analytics.users")


def test_levels_other_than_admin_are_independent(sm: SecurityManager) -> None:
    sm.grant_permission("etl", AccessLevel.WRITE, "silver")
    assert sm.check_access_permission("etl", AccessLevel.WRITE, "silver.events")
    assert not sm.check_access_permission("etl", AccessLevel.READ, "silver.events")
    assert not sm.check_access_permission("etl", AccessLevel.EXECUTE, "silver.events")


def test_grants_cover_dotted_children_and_wildcard(sm: SecurityManager) -> None:
    sm.grant_permission("ana", AccessLevel.READ, "analytics")
    assert sm.check_access_permission("ana", AccessLevel.READ, "analytics.orders")
    assert not sm.check_access_permission("ana", AccessLevel.READ, "analytics_raw.orders")
    sm.grant_permission("ops", AccessLevel.EXECUTE, "*")
    assert sm.check_access_permission("ops", AccessLevel.EXECUTE, "any.thing")
    # revoking a narrow grant leaves a broader one in force
    sm.grant_permission("ana", AccessLevel.READ, "analytics.orders")
    sm.revoke_permission("ana", AccessLevel.READ, "analytics.orders")
    assert sm.check_access_permission("ana", AccessLevel.READ, "analytics.orders")
    assert sm.get_user_permissions("ana") == {"analytics": {AccessLevel.READ}}


@pytest.mark.parametrize(
    ("user", "level", "resource"),
    [("", AccessLevel.READ, "t"), ("u", "READ", "t"), ("u", AccessLevel.READ, "  ")],
)
def test_grant_arguments_are_checked(
    sm: SecurityManager, user: str, level: AccessLevel, resource: str
) -> None:
    with pytest.raises(InputValidationError):
        sm.grant_permission(user, level, resource)


def test_permissions_and_audit_are_exact_under_threads(sm: SecurityManager) -> None:
    def work(n: int) -> None:
        for i in range(200):
            sm.grant_permission(f"user{n}", AccessLevel.READ, f"t{i}")
            assert sm.check_access_permission(f"user{n}", AccessLevel.READ, f"t{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(len(sm.get_user_permissions(f"user{n}")) == 200 for n in range(8))
    assert len(sm.get_audit_log(action="grant")) == 1600
    assert len(sm.get_audit_log(action="check")) == 1600


# -- audit log -----------------------------------------------------------------------------------


def test_audit_log_records_actions_and_rejections(sm: SecurityManager) -> None:
    sm.grant_permission("ana", AccessLevel.WRITE, "gold")
    sm.check_access_permission("ana", AccessLevel.READ, "gold")
    with pytest.raises(SQLInjectionError):
        sm.validate_sql_expression("1=1; DROP TABLE x")
    with pytest.raises(InputValidationError):
        sm.validate_table_name("bad name")
    sm.validate_table_name("fine")  # successes are not logged
    log = sm.get_audit_log()
    assert [(e.action, e.outcome) for e in log] == [
        ("grant", "granted"), ("check", "denied"), ("validate_sql", "rejected"),
        ("validate_name", "rejected"),
    ]
    assert log[0].user == "ana" and log[0].resource == "gold" and log[0].detail == "WRITE"
    assert all(e.timestamp.tzinfo is not None for e in log)
    assert sm.get_audit_log(user="ana") == log[:2]
    sm.clear_audit_log()
    assert sm.get_audit_log() == []


def test_audit_retention_prunes_old_entries() -> None:
    now = [datetime(2024, 1, 1, tzinfo=UTC)]
    sm = SecurityManager(SecurityConfig(audit_retention_days=90), clock=lambda: now[0])
    sm.grant_permission("old", AccessLevel.READ, "t")
    now[0] += timedelta(days=60)
    sm.grant_permission("mid", AccessLevel.READ, "t")
    now[0] += timedelta(days=31)
    assert [e.user for e in sm.get_audit_log()] == ["mid"]
    assert sm.check_access_permission("old", AccessLevel.READ, "t")  # grants do not expire


def test_audit_log_is_bounded_and_can_be_disabled() -> None:
    sm = SecurityManager(SecurityConfig(max_audit_entries=5))
    for i in range(8):
        sm.grant_permission("u", AccessLevel.READ, f"t{i}")
    assert [e.resource for e in sm.get_audit_log()] == [f"t{i}" for i in range(3, 8)]
    quiet = SecurityManager(SecurityConfig(enable_audit_logging=False))
    quiet.grant_permission("u", AccessLevel.READ, "t")
    assert quiet.get_audit_log() == []


def test_get_security_manager_is_one_instance_across_threads() -> None:
    seen: list[SecurityManager] = []
    threads = [threading.Thread(target=lambda: seen.append(get_security_manager()))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(m) for m in seen}) == 1 and seen[0] is get_security_manager()
