"""sparkforge_runtime: the thin library that sparkforge jobs and the interpreted runner call.

It depends on pyspark (and the Delta Lake jars on the classpath) only; it imports nothing of the
compiler. Everything a compiled job needs at run time is here.
"""

from __future__ import annotations

__version__ = "0.1.0"

from sparkforge_runtime.session import (
    DELTA_PACKAGE,
    build_session,
    delta_available,
    spark_submit_command,
)

__all__ = [
    "DELTA_PACKAGE",
    "__version__",
    "build_session",
    "delta_available",
    "spark_submit_command",
]
