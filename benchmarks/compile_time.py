"""Compile time of generated pipelines, and the time importing the runtime adds to a job's start.

Input: step counts (10 .. 1,000). Output: plain dicts for the report:

    compile_curve((10, 200))  ->  [{"steps": 10, "seconds": 0.05, "cpu_seconds": 0.05, ...}, ...]
    import_cost()             ->  {"added_ms": 31.0, "importtime_ms": 28.4, ...}

A pipeline of N steps is generated as builder source text, in blocks of five steps (one bronze, three
silver of which one depends on another, one gold), each with rules that mix shorthands, operator lists
and SQL strings, and its own module-level transform. `sparkforge.compiler.api.compile_source` is
timed in this process (best of a few runs, after one warm-up compile), in wall and CPU time: the
compiler is single-threaded, so on a busy machine its CPU time is what it takes on an idle one.
The formatter's cache is cleared before each run, so every run costs what a fresh
`sparkforge compile` process pays.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 50, 100, 200, 500, 1000)
RUNTIME_MODULES = (
    "sparkforge_runtime",
    "sparkforge_runtime.job",
    "sparkforge_runtime.plan",
    "sparkforge_runtime.rules",
    "sparkforge_runtime.verbs",
)
PYSPARK_BASELINE = "import pyspark.sql, pyspark.sql.functions, pyspark.sql.types"

_HEADER = '''"""Generated pipeline for the compile-time benchmark."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

SCHEMA = "gen"
'''

_BLOCK_FUNCS = """

def silver_{i}_a(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.filter(F.col("amount") > {i}).withColumn("day", F.to_date("ts"))


def silver_{i}_b(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return prior_silvers["s{i}_a"].withColumn("doubled", F.col("amount") * 2)


def silver_{i}_c(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.select("id", "user", "amount", "ts").dropDuplicates(["id"])


def gold_{i}(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["s{i}_b"].groupBy("day").agg(F.sum("doubled").alias("total"))
"""

_BLOCK_STEPS = """
    builder.with_bronze_rules(
        name="b{i}",
        rules={{"id": ["not_null"], "user": [["gt", 0]], "amount": ["amount >= 0 AND amount < 1e9"],
               "ts": ["not_null"]}},
        incremental_col="ts",
    )
    builder.add_silver_transform(
        name="s{i}_a", source_bronze="b{i}", transform=silver_{i}_a, table_name="s{i}_a",
        rules={{"id": ["not_null"], "amount": ["positive"], "day": ["not_null"], "ts": []}},
        watermark_col="ts",
    )
    builder.add_silver_transform(
        name="s{i}_b", source_bronze="b{i}", depends_on=["s{i}_a"], transform=silver_{i}_b,
        table_name="s{i}_b",
        rules={{"id": ["not_null"], "doubled": ["doubled > 0"], "day": ["not_null"], "ts": []}},
        watermark_col="ts",
    )
    builder.add_silver_transform(
        name="s{i}_c", source_bronze="b{i}", transform=silver_{i}_c, table_name="s{i}_c",
        rules={{"id": ["not_null"], "user": [["between", 1, 10000000]], "ts": ["not_null"]}},
    )
    builder.add_gold_transform(
        name="g{i}", source_silvers=["s{i}_b"], transform=gold_{i}, table_name="g{i}",
        rules={{"day": ["not_null"], "total": ["total >= 0"]}},
    )
"""


def pipeline_source(steps: int) -> str:
    """Builder code for a pipeline of `steps` steps (rounded up to a multiple of five)."""
    blocks = max(1, -(-steps // 5))
    funcs = "".join(_BLOCK_FUNCS.format(i=i) for i in range(blocks))
    body = "".join(_BLOCK_STEPS.format(i=i) for i in range(blocks))
    return (
        f"{_HEADER}{funcs}\n\ndef build(spark: SparkSession) -> PipelineBuilder:\n"
        f'    builder = PipelineBuilder(spark=spark, schema=SCHEMA, pipeline_name="gen{steps}")\n'
        f"{body}    return builder\n"
    )


def time_compile(steps: int, repeats: int = 3) -> dict[str, Any]:
    """Best wall time of `compile_source` over `repeats` runs for a pipeline of `steps` steps."""
    from sparkforge.compiler.api import CompileOptions, compile_source
    from sparkforge.compiler.emit.format_source import format_unit

    text = pipeline_source(steps)
    times = []
    cpu_times = []
    lines = 0
    for _ in range(repeats):
        format_unit.cache_clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = compile_source(text, "pipeline.py", CompileOptions())
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
        if not result.ok:
            problems = "\n".join(str(d) for d in result.diagnostics[:5])
            raise RuntimeError(f"generated pipeline of {steps} steps did not compile:\n{problems}")
        lines = (result.source or "").count("\n")
    best = min(times)
    return {
        "steps": steps,
        "seconds": best,
        "cpu_seconds": min(cpu_times),
        "per_step_ms": best * 1000 / steps,
        "job_lines": lines,
    }


def compile_curve(sizes: tuple[int, ...] = SIZES, repeats: int = 3) -> list[dict[str, Any]]:
    time_compile(10, repeats=1)  # warm-up: imports, black's and libcst's caches
    return [time_compile(n, repeats=repeats if n <= 200 else 1) for n in sizes]


def _python_ms(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return (time.perf_counter() - started) * 1000


def _importtime_ms() -> float:
    """Cumulative import time of the runtime modules after pyspark is loaded (python -X importtime)."""
    code = f"{PYSPARK_BASELINE}; import " + ", ".join(RUNTIME_MODULES)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    total_us = 0
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        if (
            name.strip().startswith("sparkforge_runtime")
            and name[: len(name) - len(name.lstrip())] == " "
        ):
            total_us += int(parts[1])
    return total_us / 1000


def import_cost(repeats: int = 11) -> dict[str, Any]:
    """What `import sparkforge_runtime` (and the modules a job uses) adds to a PySpark job's start."""
    with_runtime = f"{PYSPARK_BASELINE}; import " + ", ".join(RUNTIME_MODULES)
    base: list[float] = []
    full: list[float] = []
    for _ in range(repeats):  # interleaved, so load changes hit both alike
        base.append(_python_ms(PYSPARK_BASELINE))
        full.append(_python_ms(with_runtime))
    importtime = statistics.median(_importtime_ms() for _ in range(5))
    return {
        "pyspark_ms": statistics.median(base),
        "with_runtime_ms": statistics.median(full),
        "added_ms": statistics.median(f - b for f, b in zip(full, base, strict=True)),
        "importtime_ms": importtime,
        "modules": list(RUNTIME_MODULES),
    }


if __name__ == "__main__":
    import json

    print(json.dumps({"imports": import_cost(5), "compile": compile_curve()}, indent=2))
