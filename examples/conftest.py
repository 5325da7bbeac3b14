"""pytest settings for the examples' own tests (`examples/*/test_*.py`).

The tests use `sparkforge.testing` as a project of yours would: the `sparkforge_spark` fixture comes
from the plugin that installing sparkforge registers. This file only points Spark at the Delta jars
`make setup` fetched (without them, Spark downloads the Delta package itself) and, so that the
examples also run where sparkforge is not installed as a package, names the plugin's fixture.
"""

from __future__ import annotations

import os
from pathlib import Path

from sparkforge.testing.plugin import sparkforge_spark  # noqa: F401

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
_JARS = sorted((Path(__file__).resolve().parent.parent / ".cache" / "jars").glob("*.jar"))
if _JARS and not os.environ.get("SPARKFORGE_JARS"):
    os.environ["SPARKFORGE_JARS"] = ",".join(str(j) for j in _JARS)
