"""The side-by-side comparison: implementations a b c d, each run in a fresh process, interleaved.

Input: a `Bench`, the compiled job, the input (`csv:PATH` or `parquet:PATH`) and a number of rounds.
Output: one record per run (wall time, peak memory, the event-log metrics), and `summarize`, which
turns the records into medians per implementation and ratios taken pair by pair within each round:

    four_way(bench, job, "csv:/data/base/csv", rounds=3)  ->  [{"impl": "a", "round": 0, ...}, ...]
    summarize(records)  ->  {"median": {"a": {...}}, "ratios": {"a/c": {"median": 1.12, ...}}, ...}

Rounds run a b c d z, a b c d z, ... so that drifting load on the machine hits every implementation
alike; z (start Spark, write a one-row table, round 0 only) measures the fixed cost every run pays.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks import launch

ORDER = ("a", "b", "c", "d", "z")
RATIOS = (("a", "c"), ("b", "c"), ("d", "c"), ("a", "d"), ("b", "a"))
COUNT_KEYS = ("jobs", "stages", "tasks", "input_bytes", "cache_bytes")
EXACT_KEYS = ("jobs", "stages", "tasks")
# Delta's commit files differ by a few bytes from run to run (timestamps, ids, operation metrics).
BYTES_TOLERANCE = 0.005
BYTES_SLACK = 16 * 1024


def impl_args(impl: str, source: str, mode: str = "initial") -> list[str]:
    """Command-line arguments of one implementation for the bronze input `source`."""
    if impl in ("a", "b"):
        return ["--mode", mode, "--source", f"events={source}"]
    return ["--source", f"events={source}"]


def record(result: launch.Run, round_no: int, keep_jobs: bool) -> dict[str, Any]:
    metrics = result.metrics.to_dict() if result.metrics else {}
    if not keep_jobs:
        metrics.pop("job_list", None)
    return {
        "impl": result.impl,
        "round": round_no,
        "returncode": result.returncode,
        "wall_s": result.wall_s,
        "cpu_s": result.cpu_s,
        "load1": result.load1,
        "max_rss_mb": result.max_rss_mb,
        "metrics": metrics,
    }


def four_way(
    bench: launch.Bench,
    job: Path,
    source: str,
    rounds: int,
    *,
    tag: str,
    impls: Iterable[str] = ORDER,
) -> list[dict[str, Any]]:
    """Run every implementation `rounds` times, interleaved; keep the job list of round 0."""
    records = []
    impls = tuple(impls)
    for round_no in range(rounds):
        for impl in impls:
            if impl == "z" and round_no > 0:
                continue  # the startup baseline does not vary with the pipeline: once is enough
            label = f"{tag}-{impl}-{round_no}"
            result = launch.run(bench, impl, label, impl_args(impl, source), job=job)
            records.append(record(result, round_no, keep_jobs=round_no == 0))
            print(
                f"  {label:<28} exit {result.returncode}  {result.wall_s:7.1f}s  "
                f"jobs {records[-1]['metrics'].get('jobs', '?')}",
                flush=True,
            )
            launch.cleanup(bench, result)
    return records


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def _by_impl(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        if rec["returncode"] == 0:
            grouped.setdefault(rec["impl"], []).append(rec)
    return grouped


def _same_counts(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Jobs, stages and tasks equal; bytes equal within 0.5% or 16 KiB (Delta's log files)."""
    if any(one.get(k) != other.get(k) for k in EXACT_KEYS):
        return False
    return all(
        abs(one.get(k, 0) - other.get(k, 0)) <= max(BYTES_SLACK, BYTES_TOLERANCE * other.get(k, 0))
        for k in ("input_bytes", "cache_bytes")
    )


def _impl_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the timings; counts from round 0, with a flag saying whether every round agreed."""
    first = runs[0]["metrics"]
    counts = {k: first.get(k) for k in COUNT_KEYS}
    stable = all(_same_counts(r["metrics"], first) for r in runs)
    return {
        "runs": len(runs),
        "wall_s": _median([r["wall_s"] for r in runs]),
        "wall_min_s": min(r["wall_s"] for r in runs),
        "wall_max_s": max(r["wall_s"] for r in runs),
        "cpu_s": _median([r["cpu_s"] for r in runs]),
        "task_cpu_s": _median([r["metrics"].get("task_cpu_s", 0.0) for r in runs]),
        "load1": _median([r["load1"] for r in runs]),
        "span_s": _median([r["metrics"].get("span_s", 0.0) for r in runs]),
        "app_s": _median([r["metrics"].get("app_s", 0.0) for r in runs]),
        "max_rss_mb": _median([r["max_rss_mb"] for r in runs]),
        "jvm_heap_peak_mb": _median([r["metrics"].get("jvm_heap_peak_mb", 0.0) for r in runs]),
        **counts,
        "file_bytes": (counts["input_bytes"] or 0) - (counts["cache_bytes"] or 0),
        "counts_stable": stable,
        "jobs_by_category": first.get("jobs_by_category", {}),
        "bytes_by_category": first.get("bytes_by_category", {}),
        "cpu_by_category": first.get("cpu_by_category", {}),
        "gate_jobs_by_step": first.get("gate_jobs_by_step", {}),
    }


def pair_ratios(records: list[dict[str, Any]], key: str = "wall_s") -> dict[str, dict[str, Any]]:
    """For each ratio x/y: x's and y's value in the same round, divided; then median, min, max."""
    by_round: dict[int, dict[str, float]] = {}
    for rec in records:
        if rec["returncode"] != 0:
            continue
        value = rec[key] if key in rec else rec["metrics"].get(key, 0.0)
        by_round.setdefault(rec["round"], {})[rec["impl"]] = value
    out: dict[str, dict[str, Any]] = {}
    for x, y in RATIOS:
        pairs = [r[x] / r[y] for r in by_round.values() if x in r and y in r and r[y] > 0]
        if pairs:
            out[f"{x}/{y}"] = {
                "median": _median(pairs),
                "min": min(pairs),
                "max": max(pairs),
                "pairs": pairs,
            }
    return out


def count_target(summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """(a)'s jobs against (c)'s plus the gate's jobs plus the log write; (a)'s bytes against (c)'s."""
    a, c = summary.get("a"), summary.get("c")
    if not a or not c:
        return {}
    gate = int(a["jobs_by_category"].get("gate", 0))
    log = int(a["jobs_by_category"].get("log write", 0))
    allowed = int(c["jobs"]) + gate + log
    return {
        "a_jobs": a["jobs"],
        "c_jobs": c["jobs"],
        "gate_jobs": gate,
        "log_write_jobs": log,
        "allowed_jobs": allowed,
        "jobs_ok": a["jobs"] <= allowed,
        "a_bytes": a["input_bytes"],
        "a_cache_bytes": a["cache_bytes"],
        "c_bytes": c["input_bytes"],
        "bytes_ok": a["input_bytes"] <= c["input_bytes"] + a["cache_bytes"],
    }


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    summary = {impl: _impl_summary(runs) for impl, runs in _by_impl(records).items()}
    failed = [f"{r['impl']}#{r['round']}" for r in records if r["returncode"] != 0]
    return {
        "impls": summary,
        "ratios": pair_ratios(records),
        "span_ratios": pair_ratios(records, "span_s"),
        "cpu_ratios": pair_ratios(records, "cpu_s"),
        "counts": count_target(summary),
        "failed_runs": failed,
    }
