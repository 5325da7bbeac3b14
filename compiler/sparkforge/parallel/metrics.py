"""Measurements and advice for a finished (or running) task graph (used by `worker_pool`).

Input: the per-task records of a worker pool, the tasks, the worker limit and the peak
concurrency observed. Output: a metrics dict (wall time, task time, efficiency, queue wait,
critical path ...) and recommendations derived only from those measurements.
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sparkforge.parallel.tasks import ExecutionTask, TaskResult

__all__ = ["compute_metrics", "recommend"]


def _span(record: TaskResult, now: float) -> tuple[float, float] | None:
    if record.started_at is None:
        return None
    end = record.finished_at if record.finished_at is not None else now
    return record.started_at, end


def _critical_path(
    spans: Mapping[str, tuple[float, float]], tasks: Mapping[str, ExecutionTask]
) -> tuple[float, list[str]]:
    """Longest chain of started tasks through dependency edges, weighted by measured time."""
    graph = {tid: {d for d in tasks[tid].dependencies if d in spans} for tid in spans}
    best: dict[str, tuple[float, list[str]]] = {}
    for tid in graphlib.TopologicalSorter(graph).static_order():
        start, end = spans[tid]
        before = max((best[d] for d in graph[tid]), key=lambda b: b[0], default=(0.0, []))
        best[tid] = (before[0] + end - start, [*before[1], tid])
    return max(best.values(), key=lambda b: b[0], default=(0.0, []))


def compute_metrics(
    records: Mapping[str, TaskResult],
    tasks: Mapping[str, ExecutionTask],
    worker_limit: int,
    peak: int,
    order: list[str],
    now: float,
) -> dict[str, Any]:
    spans = {t: s for t, r in records.items() if (s := _span(r, now)) is not None}
    counts = {s: 0 for s in ("completed", "failed", "timed_out", "cancelled", "running", "pending")}
    for record in records.values():
        counts[record.status.value] += 1
    wall = max(e for _, e in spans.values()) - min(s for s, _ in spans.values()) if spans else 0.0
    busy = sum(e - s for s, e in spans.values())
    waits = [r.started_at - r.ready_at for r in records.values()
             if r.started_at is not None and r.ready_at is not None]
    cp_secs, cp = _critical_path(spans, tasks)
    return {
        "total_tasks": len(records),
        **{f"{k}_tasks": v for k, v in counts.items()},
        "wall_time_secs": wall,
        "total_task_time_secs": busy,
        "speedup": busy / wall if wall > 0 else 0.0,
        "parallel_efficiency": min(1.0, busy / (wall * worker_limit)) if wall > 0 else 0.0,
        "max_concurrency": peak,
        "worker_limit": worker_limit,
        "average_queue_wait_secs": sum(waits) / len(waits) if waits else 0.0,
        "critical_path_secs": cp_secs,
        "critical_path": cp,
        "task_durations": {t: e - s for t, (s, e) in spans.items()},
        "execution_order": list(order),
    }


def recommend(
    metrics: Mapping[str, Any],
    records: Mapping[str, TaskResult],
    tasks: Mapping[str, ExecutionTask],
) -> list[str]:
    """Concrete advice, each item backed by a number from `metrics`; [] when all looks fine."""
    advice: list[str] = []
    by_status: dict[str, list[str]] = {}
    for tid, record in records.items():
        by_status.setdefault(record.status.value, []).append(tid)
    if timed_out := sorted(by_status.get("timed_out", [])):
        advice.append(
            f"{len(timed_out)} task(s) timed out ({', '.join(timed_out)}): raise timeout_seconds if "
            "the work is legitimately slow, or split it; their threads may still be running"
        )
    if failed := sorted(by_status.get("failed", [])):
        cancelled = len(by_status.get("cancelled", []))
        advice.append(
            f"{len(failed)} task(s) failed ({', '.join(failed)}) and {cancelled} dependent task(s) "
            "were cancelled: fix the failures first (see 'errors')"
        )
    advice += _parallelism_advice(metrics)
    advice += _estimate_advice(metrics["task_durations"], tasks)
    return advice


def _parallelism_advice(m: Mapping[str, Any]) -> list[str]:
    advice: list[str] = []
    wall, limit, peak = m["wall_time_secs"], m["worker_limit"], m["max_concurrency"]
    durations: dict[str, float] = m["task_durations"]
    if wall <= 0 or len(durations) < 2:
        return advice
    if limit > 1 and peak < limit:
        advice.append(
            f"at most {peak} of {limit} workers were busy at once: the dependency graph allows no "
            f"more parallelism, so max_workers={peak} would do the same work with fewer threads"
        )
    if limit > 1 and m["parallel_efficiency"] < 0.5 and m["critical_path_secs"] >= 0.8 * wall:
        path = " -> ".join(m["critical_path"])
        advice.append(
            f"parallel efficiency was {m['parallel_efficiency']:.0%}: the critical path {path} "
            f"takes {m['critical_path_secs']:.2f}s of the {wall:.2f}s wall time; shorten or split "
            "the tasks on it"
        )
    slowest = max(durations, key=lambda t: durations[t])
    if durations[slowest] > 0.5 * wall:
        advice.append(
            f"task {slowest!r} took {durations[slowest]:.2f}s, {durations[slowest] / wall:.0%} of "
            "the wall time: it bounds the total runtime; split it into smaller tasks or give it "
            "TaskPriority.CRITICAL so that it starts first"
        )
    mean = sum(durations.values()) / len(durations)
    if peak >= limit and m["average_queue_wait_secs"] > 0.25 * mean:
        advice.append(
            f"ready tasks waited {m['average_queue_wait_secs']:.2f}s on average for a free worker; "
            f"raising max_workers (now {limit}) would start them sooner"
        )
    return advice


def _estimate_advice(durations: Mapping[str, float], tasks: Mapping[str, ExecutionTask]) -> list[str]:
    advice = []
    for tid, took in sorted(durations.items()):
        estimate = tasks[tid].estimated_duration
        if estimate and (took > 2 * estimate or took < estimate / 2) and abs(took - estimate) > 0.05:
            advice.append(
                f"task {tid!r} took {took:.2f}s but was estimated at {estimate:.2f}s: update "
                "estimated_duration, the scheduler starts long tasks first among equal priorities"
            )
    return advice
