"""sparkforge_runtime: the thin library that sparkforge jobs and the interpreted runner call.

It depends on pyspark (and the Delta Lake jars on the classpath) only; it imports nothing of the
compiler. The session helpers below load pyspark when first used, so tools that only read a
pipeline (`sparkforge graph`, `explain`) start no JVM and import no pyspark.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["DELTA_PACKAGE", "__version__", "build_session", "delta_available", "spark_submit_command"]


def __getattr__(name: str) -> Any:
    if name == "delta_available":
        from sparkforge_runtime.preflight import delta_available

        return delta_available
    if name in __all__:
        from sparkforge_runtime import session

        return getattr(session, name)
    raise AttributeError(f"module 'sparkforge_runtime' has no attribute {name!r}")
