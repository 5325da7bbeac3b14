"""Why the metastore cannot be used, in one line: loaded only when the catalog probe of
`preflight.metastore_problem` failed.

    metastore_message(spark, exc)
    -> "the metastore at /data/metastore_db is in use by another process (embedded Derby ...)"
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pyspark.sql import SparkSession

from sparkforge_runtime.failures import describe

_DERBY_IN_USE = ("Another instance of Derby", "XSDB6", "Failed to start database")
_CLIENT_FAILED = ("Unable to instantiate", "SessionHiveMetaStoreClient", "HiveMetaStoreClient")


def metastore_message(spark: SparkSession, exc: BaseException) -> str:
    """The one-line explanation of a metastore that cannot be used."""
    text = _chain_text(exc)
    if any(marker in text for marker in _DERBY_IN_USE) or (
        _is_embedded_derby(spark) and any(marker in text for marker in _CLIENT_FAILED)
    ):
        return (
            f"the metastore at {metastore_path(spark)} is in use by another process (embedded "
            "Derby allows one); wait for it to finish, or use a shared metastore "
            "(spark.sql.catalogImplementation / hive.metastore.uris)"
        )
    return (
        f"the metastore cannot be used: {describe(exc)}; check hive.metastore.uris and that the "
        "metastore service is running, or run with spark.sql.catalogImplementation=in-memory"
    )


def metastore_path(spark: SparkSession) -> str:
    """Where the embedded Derby metastore lives (its `databaseName`), as an absolute path."""
    url = _hadoop_conf(spark, "javax.jdo.option.ConnectionURL") or ""
    found = re.search(r"databaseName=([^;]+)", url) or re.search(r"jdbc:derby:([^;]+)", url)
    name = found.group(1) if found else "metastore_db"
    home = _jvm_property(spark, "derby.system.home") or os.getcwd()
    return str(Path(home, name)) if not Path(name).is_absolute() else name


def _is_embedded_derby(spark: SparkSession) -> bool:
    url = _hadoop_conf(spark, "javax.jdo.option.ConnectionURL") or "jdbc:derby:"
    return url.startswith("jdbc:derby:") and not _hadoop_conf(spark, "hive.metastore.uris")


def _hadoop_conf(spark: SparkSession, key: str) -> str | None:
    conf = spark.sparkContext.getConf()
    value = conf.get(f"spark.hadoop.{key}") or spark.sparkContext._jsc.hadoopConfiguration().get(key)
    return str(value) if value else None


def _jvm_property(spark: SparkSession, key: str) -> str | None:
    value = spark.sparkContext._jvm.java.lang.System.getProperty(key)  # type: ignore[union-attr]
    return str(value) if value else None


def _chain_text(exc: BaseException) -> str:
    """Every message in the Python and Java cause chains, for the markers above."""
    texts: list[str] = []
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            break
        texts.append(str(current))
        java = getattr(current, "java_exception", None)
        if java is not None:
            texts.append(str(java.toString()))
        current = current.__cause__ or current.__context__
    return "\n".join(texts)
