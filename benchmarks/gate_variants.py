"""What the threshold gate costs, per mechanism, measured in one warm Spark process.

Input: a bronze input (`csv:PATH` or `parquet:PATH`), a number of rounds. Output: per variant the
median seconds and the Spark jobs of one validated step (`clean_events`, or `user_sessions` with its
window shuffle, over the whole input, written to Delta), variants interleaved round by round:

    floor        transform -> write; no validation (the physical floor)
    cache_noop   the runtime's gate: flag, persist, observe the counts in a scan into the no-op sink
                 (fills the cache), write the valid rows from the cache if the rate passes
    cache_noop_plain  the same with the columnar cache's compression off
    cache_agg    the previous runtime's gate: flag, persist, `agg(count, count_if).first()`, write
    precount     no cache: `agg(count, count_if)` over the step's output, then write (two passes)
    staging      write-audit-publish by copy: the flagged rows are written to a staging Delta table,
                 counted there (a read of the flag column), and the valid rows copied to the target

    python -m benchmarks.gate_variants --source csv:.work/bench/data/1000000/base/csv --rounds 3

Run it alone: it measures wall time in a single JVM after a warm-up round, so the JVM's start and
JIT costs that dominate small runs are left out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import reference_pipeline as ref
from benchmarks.handwritten import CHECKS, read_events

FLAG = "__ok"
Variant = Callable[[SparkSession, DataFrame, str], dict[str, int]]


STEPS = {"clean_events": ref.clean_events, "user_sessions": ref.user_sessions}
CHECK = {"step": "clean_events"}  # which step's checks `_flagged` applies (set by `measure`)


def _flagged(df: DataFrame) -> DataFrame:
    return df.withColumn(FLAG, F.coalesce(F.expr(CHECKS[CHECK["step"]]), F.lit(False)))


def _write(df: DataFrame, table: str) -> None:
    df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").saveAsTable(table)


def _counts(row: Any) -> dict[str, int]:
    return {"total": int(row["total"]), "valid": int(row["valid"])}


def _aggs() -> tuple[Any, ...]:
    return (F.count(F.lit(1)).alias("total"), F.count_if(F.col(FLAG)).alias("valid"))


def floor(spark: SparkSession, step: DataFrame, table: str) -> dict[str, int]:
    _write(step, table)
    return {}


def cache_noop(spark: SparkSession, step: DataFrame, table: str) -> dict[str, int]:
    flagged = _flagged(step).persist(StorageLevel.MEMORY_AND_DISK)
    obs = Observation(f"gate_{time.monotonic_ns()}")
    flagged.observe(obs, *_aggs()).write.format("noop").mode("overwrite").save()
    counts = _counts(obs.get)
    _write(flagged.filter(F.col(FLAG)).drop(FLAG), table)
    flagged.unpersist()
    return counts


def cache_noop_plain(spark: SparkSession, step: DataFrame, table: str) -> dict[str, int]:
    """`cache_noop` with the columnar cache's compression off (less CPU, more memory)."""
    key = "spark.sql.inMemoryColumnarStorage.compressed"
    spark.conf.set(key, "false")
    try:
        return cache_noop(spark, step, table)
    finally:
        spark.conf.set(key, "true")


def cache_agg(spark: SparkSession, step: DataFrame, table: str) -> dict[str, int]:
    flagged = _flagged(step).persist(StorageLevel.MEMORY_AND_DISK)
    counts = _counts(flagged.agg(*_aggs()).first())
    _write(flagged.filter(F.col(FLAG)).drop(FLAG), table)
    flagged.unpersist()
    return counts


def precount(spark: SparkSession, step: DataFrame, table: str) -> dict[str, int]:
    flagged = _flagged(step)
    counts = _counts(flagged.agg(*_aggs()).first())
    _write(flagged.filter(F.col(FLAG)).drop(FLAG), table)
    return counts


def staging(spark: SparkSession, step: DataFrame, table: str) -> dict[str, int]:
    # An Observation on a Delta saveAsTable never gets its row (PythonSQLUtils.toPyRow asserts),
    # so the audit is an aggregate over the staged flag column: Parquet reads that column only.
    _write(_flagged(step), f"{table}_staging")
    staged = spark.table(f"{table}_staging")
    counts = _counts(staged.agg(*_aggs()).first())
    _write(staged.filter(F.col(FLAG)).drop(FLAG), table)
    return counts


VARIANTS: dict[str, Variant] = {
    "floor": floor,
    "cache_noop": cache_noop,
    "cache_noop_plain": cache_noop_plain,
    "cache_agg": cache_agg,
    "precount": precount,
    "staging": staging,
}


def _jobs_since(spark: SparkSession, group: str) -> int:
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


def measure(spark: SparkSession, source: str, rounds: int, step_name: str) -> dict[str, Any]:
    """Round 0 warms the JVM up and is dropped; then every variant once per round."""
    CHECK["step"] = step_name
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    jobs: dict[str, int] = {}
    for round_no in range(rounds + 1):
        for name, variant in VARIANTS.items():
            group = f"gate-{name}-{round_no}"
            spark.sparkContext.setJobGroup(group, group, False)
            bronze = read_events(spark, source)
            step = STEPS[step_name](spark, bronze, {})
            started = time.perf_counter()
            variant(spark, step, f"bench.gate_{name}")
            elapsed = time.perf_counter() - started
            if round_no > 0:
                times[name].append(elapsed)
                jobs[name] = _jobs_since(spark, group)
    floor_s = statistics.median(times["floor"])
    return {
        name: {
            "median_s": statistics.median(values),
            "runs": values,
            "vs_floor": statistics.median(values) / floor_s,
            "jobs": jobs[name],
        }
        for name, values in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--step", choices=tuple(STEPS), default="clean_events")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from sparkforge_runtime.session import build_session

    with tempfile.TemporaryDirectory(prefix="sparkforge-gate-") as tmp:
        spark = build_session("bench-gate-variants", master="local[2]", warehouse_dir=tmp)
        spark.sql("CREATE SCHEMA IF NOT EXISTS bench")
        found = measure(spark, args.source, args.rounds, args.step)
        spark.stop()
    for name, row in found.items():
        print(
            f"{name:<11} {row['median_s']:7.2f}s  x{row['vs_floor']:.2f} of floor  jobs {row['jobs']}"
        )
    if args.out:
        result = {"source": args.source, "step": args.step, "variants": found}
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
