"""Run a pipeline with the interpreted runner on a Spark Connect session, in a process of its own.

A process that has made a Connect session builds Connect columns from then on, so the tests, whose
shared session is classic, run this as a subprocess. The session comes from `SPARK_REMOTE`.

    SPARK_REMOTE=sc://127.0.0.1:PORT python -m tests.support.connect_runner \\
        tests/cases/merge_write/pipeline.py users initial,incremental profile_updates=/raw/updates

Input: the pipeline file (its module-level `builder`, or `build(spark)`), the schema to create, the
modes, and each bronze input as NAME=PARQUET_PATH. Output: one JSON line per mode on stdout:
{"mode", "connect", "success", "error", "steps": {name: [status, rows_written]}}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession
from sparkforge_runtime.connect import is_connect

from tests.support.jobs import load_module

METHODS = {
    "initial": "initial_load",
    "incremental": "run_incremental",
    "full-refresh": "run_full_refresh",
    "validation-only": "run_validation_only",
}


def main(argv: list[str]) -> int:
    path, schema, modes, *bindings = argv
    spark = SparkSession.builder.getOrCreate()  # on SPARK_REMOTE
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{schema}`")
    module = load_module(Path(path))
    builder = module.builder if hasattr(module, "builder") else module.build(spark)
    runner = builder.to_pipeline()
    for mode in modes.split(","):
        paths = dict(b.split("=", 1) for b in bindings)
        sources = {name: spark.read.parquet(p) for name, p in paths.items()}
        result = getattr(runner, METHODS[mode])(bronze_sources=sources)
        steps: dict[str, Any] = {
            name: [step.status.value, step.rows_written] for name, step in result.step_results.items()
        }
        line = {
            "mode": mode, "connect": is_connect(spark), "success": result.success,
            "error": result.error_message, "steps": steps,
        }  # fmt: skip
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
