"""Which submitted tasks wait on dependencies, which are ready to start, which were cancelled.

Input: `ExecutionTask`s in dependency order (as `check_task_graph` gives them) and the outcome of
each finished task. Output: the ready tasks in start order (priority first, then the longest
estimate) and a `TaskResult` per task. No threads and no lock: the worker pool calls it while it
holds its own condition.

    add(extract); add(load, dependencies=["extract"])   ->  head() == "extract"
    release("extract") after it completed                ->  head() == "load"
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

from sparkforge.parallel.tasks import (
    FINAL,
    ExecutionTask,
    TaskCancelledError,
    TaskResult,
    TaskStatus,
)

__all__ = ["TaskQueue"]


class TaskQueue:
    """The dependency bookkeeping of one worker pool."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.tasks: dict[str, ExecutionTask] = {}
        self.records: dict[str, TaskResult] = {}
        self._waiting: dict[str, set[str]] = {}  # task -> dependencies not yet completed
        self._dependents: dict[str, list[str]] = {}
        self._ready: list[tuple[int, float, int, str]] = []  # heap: priority, -estimate, seq
        self._seq = itertools.count()

    def add(self, task: ExecutionTask) -> None:
        """Record `task`: ready now, waiting, or cancelled at once when a dependency failed."""
        tid = task.task_id
        self.tasks[tid], self.records[tid] = task, TaskResult(tid)
        self._dependents[tid] = []
        unfinished: set[str] = set()
        for dep in task.dependencies:
            status = self.records[dep].status
            if status in FINAL and status is not TaskStatus.COMPLETED:
                self.cancel(tid, dep)
                return
            if status is not TaskStatus.COMPLETED:
                unfinished.add(dep)
                self._dependents[dep].append(tid)
        self._waiting[tid] = unfinished
        if not unfinished:
            self._make_ready(tid)

    def _make_ready(self, tid: str) -> None:
        task = self.tasks[tid]
        self.records[tid].ready_at = self._now()
        # Longest estimated task first among equal priorities: it shortens the critical path.
        key = (-task.priority, -(task.estimated_duration or 0.0), next(self._seq), tid)
        heapq.heappush(self._ready, key)

    def head(self) -> str | None:
        """The ready task to start next, if any (it stays queued until `pop`)."""
        return self._ready[0][3] if self._ready else None

    def pop(self) -> str:
        return heapq.heappop(self._ready)[3]

    def release(self, tid: str) -> None:
        """`tid` completed: its dependents that waited only on it become ready."""
        for dep in self._dependents[tid]:
            waiting = self._waiting[dep]
            waiting.discard(tid)
            if not waiting and self.records[dep].status is TaskStatus.PENDING:
                self._make_ready(dep)

    def cancel(self, tid: str, cause: str) -> None:
        """Cancel `tid` (if it has not started) and everything that depends on it."""
        record = self.records[tid]
        if record.status is not TaskStatus.PENDING:
            return
        record.status = TaskStatus.CANCELLED
        record.error = TaskCancelledError(f"task {tid!r} not run: {cause!r} did not complete")
        self._ready = [r for r in self._ready if r[3] != tid]
        heapq.heapify(self._ready)
        self.cancel_dependents(tid)

    def cancel_dependents(self, tid: str) -> None:
        for dep in self._dependents.get(tid, []):
            self.cancel(dep, tid)

    def cancel_pending(self, cause: str) -> None:
        """Cancel every task that has not started."""
        for tid, record in self.records.items():
            if record.status is TaskStatus.PENDING:
                self.cancel(tid, cause)
