"""Settings for a session that Python starts itself: a laptop, a notebook, the tests.

Input: a warehouse folder (optional). Output: Spark settings: loopback only, no UI, few partitions,
the Delta jars from `SPARKFORGE_JARS` (else `--packages` coordinates), and an embedded Derby
metastore with a warehouse under the folder, so that tables outlive the process. Jobs under
`spark-submit` on a cluster never load this module.
"""

from __future__ import annotations

import os
from pathlib import Path

# Small-data settings for local sessions: fewer shuffle partitions and a quiet, UI-less driver.
LOCAL_CONF: dict[str, str] = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.sources.parallelPartitionDiscovery.parallelism": "2",
}


def jar_conf(package: str) -> dict[str, str]:
    """Where the Delta jars come from when Python starts the JVM itself (not under spark-submit)."""
    jars = os.environ.get("SPARKFORGE_JARS", "").strip()
    if jars:
        paths = [p for p in jars.replace(" ", ",").split(",") if p]
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise FileNotFoundError(
                f"SPARKFORGE_JARS names jars that do not exist: {missing}; run `make setup` first"
            )
        return {"spark.jars": ",".join(paths)}
    return {"spark.jars.packages": package}


def local_conf(warehouse_dir: str | Path | None, package: str, *, local: bool = True) -> dict[str, str]:
    """The settings of a local session (`local`), with its warehouse and metastore in a folder."""
    conf: dict[str, str] = {}
    if local:
        conf.update(LOCAL_CONF)
        conf.update(jar_conf(package))
        conf["spark.driver.memory"] = os.environ.get("SPARKFORGE_DRIVER_MEMORY", "4g")
    if warehouse_dir is not None:
        root = Path(warehouse_dir).resolve()
        root.mkdir(parents=True, exist_ok=True)
        conf["spark.sql.warehouse.dir"] = str(root / "warehouse")
        conf["spark.hadoop.javax.jdo.option.ConnectionURL"] = (
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
        )
        conf["spark.driver.extraJavaOptions"] = f"-Dderby.system.home={root}"
    return conf
