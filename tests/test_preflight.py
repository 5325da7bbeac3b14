"""Checks before Spark starts or before the first write: names, --source paths, the metastore."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sparkforge.security import InputValidationError, SecurityManager
from sparkforge_runtime.metastore import metastore_message
from sparkforge_runtime.preflight import metastore_problem, table_name_problem
from sparkforge_runtime.source_checks import (
    cluster_source_problems,
    local_source_problems,
    source_path,
)

NAMES = [
    "shop.pipeline_logs", "pipeline_logs", "spark_catalog.shop.logs", "_x.y_1", "a.b.c.d",
    "x; DROP TABLE shop.clean_orders", "shop.", ".logs", "1shop.logs", "shop.lo-gs", "shop.select",
    "drop.logs", "shop.caf\u00e9", "s" * 64 + ".t", "s" * 65 + ".t", "shop." + "t" * 128,
    "shop." + "t" * 129, "shop.log table",
]  # fmt: skip


def test_log_table_name_from_the_issue() -> None:
    message = table_name_problem("x; DROP TABLE shop.clean_orders", what="--log-table")
    assert message == (
        "--log-table 'x; DROP TABLE shop.clean_orders' is not a valid table name: "
        "'x; DROP TABLE shop' contains ';'; write it as schema.table with letters, digits and "
        "underscores, e.g. 'analytics.pipeline_logs'"
    )


@pytest.mark.parametrize("name", NAMES)
def test_table_names_follow_the_security_rule(name: str) -> None:
    """The runtime's copy of the rule accepts exactly what SecurityManager accepts."""
    try:
        SecurityManager().validate_table_name(name)
        accepted = True
    except InputValidationError:
        accepted = False
    problem = table_name_problem(name)
    assert (problem is None) == accepted, problem
    if problem:
        assert "\n" not in problem and repr(name) in problem


def test_source_path_tells_paths_from_tables() -> None:
    assert source_path("raw.orders") is None
    assert source_path("parquet:/data/orders") == "/data/orders"
    assert source_path("/data/orders") == "/data/orders"
    assert source_path("csv:file:/data/o.csv") == "file:/data/o.csv"
    assert source_path("s3a://bucket/orders") == "s3a://bucket/orders"


def test_local_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HADOOP_CONF_DIR", raising=False)
    monkeypatch.delenv("YARN_CONF_DIR", raising=False)
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "part-0.parquet").write_bytes(b"")
    missing = tmp_path / "landing" / "orders"
    ok = {
        "a": f"parquet:{tmp_path / 'orders'}",
        "b": str(tmp_path / "orders"),
        "c": f"file:{tmp_path / 'orders'}",
        "d": f"parquet:{tmp_path / 'orders' / '*.parquet'}",
        "e": "raw.orders",  # a table: checked by the reader, not here
        "f": "s3a://bucket/orders",  # remote: checked once the session runs
    }
    assert local_source_problems(ok) == []
    assert local_source_problems({"orders": f"parquet:{missing}"}) == [
        f"--source orders=parquet:{missing}: {missing} does not exist; check the path, or bind "
        "another input with --source orders=TABLE_OR_PATH"
    ]
    assert len(local_source_problems({"o": f"file://{missing}", "p": f"{tmp_path}/x*.csv"})) == 2
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))  # the default file system may be HDFS
    assert local_source_problems({"orders": str(missing)}) == []
    assert local_source_problems({"orders": f"file:{missing}"}) != []


def test_cluster_sources(spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))  # scheme-less paths go to Hadoop
    (tmp_path / "orders").mkdir()
    missing = tmp_path / "nope"
    assert cluster_source_problems(spark, {"a": str(tmp_path / "orders"), "t": "raw.x"}) == []
    assert cluster_source_problems(spark, {"a": f"{tmp_path}/ord*"}) == []
    assert cluster_source_problems(spark, {"orders": f"parquet:{missing}"}) == [
        f"--source orders=parquet:{missing}: {missing} does not exist; check the path, or bind "
        "another input with --source orders=TABLE_OR_PATH"
    ]
    [problem] = cluster_source_problems(spark, {"orders": "nosuchfs://bucket/orders"})
    assert problem.startswith("--source orders=nosuchfs://bucket/orders: cannot check ")
    assert 'No FileSystem for scheme "nosuchfs"' in problem and "\n" not in problem
    monkeypatch.delenv("HADOOP_CONF_DIR")
    braces = {"a": f"file:{tmp_path}/{{orders,more}}", "b": f"{tmp_path}/{{nope,none}}"}
    assert local_source_problems(braces) == []  # Hadoop's glob syntax: checked by Hadoop
    [problem] = cluster_source_problems(spark, braces)
    assert problem.startswith(f"--source b={tmp_path}/{{nope,none}}: {tmp_path}/{{nope,none}} does")


def test_metastore_probe_on_a_healthy_session(spark) -> None:  # type: ignore[no-untyped-def]
    assert metastore_problem(spark) is None


def test_metastore_messages(spark) -> None:  # type: ignore[no-untyped-def]
    derby = RuntimeError(
        "java.lang.RuntimeException: Unable to instantiate "
        "org.apache.hadoop.hive.ql.metadata.SessionHiveMetaStoreClient"
    )
    message = metastore_message(spark, derby)
    assert message.startswith("the metastore at /")
    assert message.endswith(
        "/metastore_db is in use by another process (embedded Derby allows one); wait for it to "
        "finish, or use a shared metastore (spark.sql.catalogImplementation / hive.metastore.uris)"
    )
    other = metastore_message(spark, ConnectionRefusedError("thrift://meta:9083 refused"))
    assert other.startswith("the metastore cannot be used: ConnectionRefusedError: thrift://meta")


CHILD = textwrap.dedent(
    """
    import sys
    from sparkforge_runtime.preflight import metastore_problem
    from sparkforge_runtime.session import build_session

    spark = build_session("second-run", master="local[1]", warehouse_dir=sys.argv[1])
    problem = metastore_problem(spark)
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(2)
    """
)


@pytest.mark.slow
def test_second_process_on_a_busy_derby_metastore(spark, warehouse: Path) -> None:  # type: ignore[no-untyped-def]
    """This test session holds the embedded Derby database; a second process cannot boot it."""
    assert spark.catalog.databaseExists("default")  # the metastore is booted and held
    env = {**os.environ, "SPARKFORGE_DRIVER_MEMORY": "512m", "SPARK_LOCAL_IP": "127.0.0.1"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(warehouse)],
        capture_output=True, text=True, timeout=240, env=env, cwd=warehouse,
    )  # fmt: skip
    output = child.stdout + child.stderr
    expected = (
        f"the metastore at {warehouse.resolve() / 'metastore_db'} is in use by another process "
        "(embedded Derby allows one); wait for it to finish, or use a shared metastore "
        "(spark.sql.catalogImplementation / hive.metastore.uris)"
    )
    assert child.returncode == 2, output[-3000:]
    assert child.stderr.strip().splitlines()[-1] == expected
    assert "Traceback" not in output and "\tat " not in output and "Derby" not in output.replace(
        "embedded Derby", ""
    )
    assert len(output.splitlines()) < 20, output[-3000:]
