"""The worker pool behind the parallel executor: starts ready tasks by priority on threads.

Input: `ExecutionTask`s, submitted one by one or in batches. Output: a `TaskResult` per task
(completed, failed, timed_out, or cancelled because a dependency did not complete) and measured
metrics. One condition variable guards all state; a daemon dispatcher thread starts the tasks that
`TaskQueue` says are ready and enforces timeouts, worker threads only run user code and report back.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sparkforge.parallel.metrics import compute_metrics
from sparkforge.parallel.task_queue import TaskQueue
from sparkforge.parallel.tasks import (
    FINAL,
    ExecutionTask,
    LoggerLike,
    TaskResult,
    TaskStatus,
    TaskTimeoutError,
    TaskWrapper,
    check_task_graph,
)

__all__ = ["DynamicWorkerPool"]


class DynamicWorkerPool:
    """Threads that run submitted tasks as their dependencies complete.

    At most `max_workers` tasks run at once. With a `memory_budget_mb`, a task only starts while
    the declared memory of running tasks stays within the budget, except that `min_workers` tasks
    may always run (so a large task cannot stall the pool). Dependencies must name tasks already
    submitted (or submitted in the same `submit_tasks` batch), so a pool can never deadlock.
    """

    def __init__(
        self,
        min_workers: int = 1,
        max_workers: int = 16,
        logger: LoggerLike | None = None,
        *,
        task_wrapper: TaskWrapper | None = None,
        on_timeout: Callable[[ExecutionTask], None] | None = None,
        memory_budget_mb: float | None = None,
    ) -> None:
        if not 1 <= min_workers <= max_workers:
            raise ValueError(f"need 1 <= min_workers <= max_workers, got {min_workers}, {max_workers}")
        self.min_workers, self.max_workers = min_workers, max_workers
        self.logger: LoggerLike = logger or logging.getLogger("sparkforge.parallel")
        self._wrapper, self._on_timeout, self._budget = task_wrapper, on_timeout, memory_budget_mb
        self._cond = threading.Condition()
        self._queue = TaskQueue(self._now)
        self._tasks, self._records = self._queue.tasks, self._queue.records  # shared, not copies
        self._running: dict[str, float] = {}  # task -> deadline (monotonic, inf if none)
        self._order: list[str] = []  # start order
        self._peak = 0
        self._executor: ThreadPoolExecutor | None = None
        self._dispatcher: threading.Thread | None = None
        self._closed = False
        self._t0 = time.monotonic()

    # -- submission ----------------------------------------------------------------------------

    def submit_task(self, task: ExecutionTask) -> str:
        """Queue `task`; it starts once its dependencies have completed. Returns its id."""
        return self.submit_tasks([task])[0]

    def submit_tasks(self, tasks: Sequence[ExecutionTask]) -> list[str]:
        """Queue a batch atomically, so priorities order the whole batch."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the worker pool has been shut down")
            order = check_task_graph(tasks, self._tasks)
            by_id = {t.task_id: t for t in tasks}
            for task_id in order:
                self._queue.add(by_id[task_id])
            self._ensure_dispatcher()
            self._cond.notify_all()
        return [t.task_id for t in tasks]

    # -- scheduling ----------------------------------------------------------------------------

    def _ensure_dispatcher(self) -> None:
        if self._dispatcher is None:
            self._dispatcher = threading.Thread(target=self._dispatch_loop, daemon=True,
                                                name="sparkforge-dispatcher")
            self._dispatcher.start()

    def _dispatch_loop(self) -> None:
        late: list[ExecutionTask] = []
        while True:
            for task in late:  # user callbacks run without the lock held
                self._call_on_timeout(task)
            with self._cond:
                if self._closed:
                    return
                late = self._expire(time.monotonic())
                self._start_ready()
                deadlines = [d for d in self._running.values() if d != float("inf")]
                if not late:
                    wait = min(deadlines) - time.monotonic() if deadlines else None
                    self._cond.wait(None if wait is None else max(wait, 0.0))

    def _start_ready(self) -> None:
        while (tid := self._queue.head()) is not None and len(self._running) < self.max_workers:
            if not self._fits_memory(self._tasks[tid]):
                return  # strict priority order: the head waits rather than being overtaken
            self._queue.pop()
            task, record = self._tasks[tid], self._records[tid]
            record.status, record.started_at = TaskStatus.RUNNING, self._now()
            timeout = task.timeout_seconds
            self._running[tid] = time.monotonic() + timeout if timeout else float("inf")
            self._order.append(tid)
            self._peak = max(self._peak, len(self._running))
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.max_workers, "sparkforge-task")
            self._executor.submit(self._run, task)

    def _fits_memory(self, task: ExecutionTask) -> bool:
        if self._budget is None or len(self._running) < self.min_workers:
            return True
        used = sum(self._tasks[t].memory_requirement_mb or 0.0 for t in self._running)
        return used + (task.memory_requirement_mb or 0.0) <= self._budget

    def _run(self, task: ExecutionTask) -> None:
        self._records[task.task_id].worker = threading.current_thread().name
        call = functools.partial(task.function, *task.args, **task.kwargs)
        try:
            value = self._wrapper(task, call) if self._wrapper else call()
        except BaseException as err:  # even SystemExit must not leave the task "running" forever
            self._finish(task.task_id, TaskStatus.FAILED, None, err)
        else:
            self._finish(task.task_id, TaskStatus.COMPLETED, value, None)

    def _finish(self, tid: str, status: TaskStatus, value: Any, error: BaseException | None) -> None:
        with self._cond:
            record = self._records[tid]
            if record.status is not TaskStatus.RUNNING:
                return  # already reported as timed out; the late outcome is dropped
            record.status, record.result, record.error = status, value, error
            record.finished_at = self._now()
            del self._running[tid]
            if status is TaskStatus.COMPLETED:
                self.logger.debug(f"task {tid} completed in {record.duration_secs:.3f}s")
                self._queue.release(tid)
            else:
                self.logger.warning(f"task {tid} failed: {type(error).__name__}: {error}")
                self._queue.cancel_dependents(tid)
            self._cond.notify_all()

    def _expire(self, now: float) -> list[ExecutionTask]:
        late = [tid for tid, deadline in self._running.items() if deadline <= now]
        for tid in late:
            timeout = self._tasks[tid].timeout_seconds
            self._time_out(tid, f"task {tid!r} exceeded its timeout of {timeout}s")
        return [self._tasks[tid] for tid in late]

    def _time_out(self, tid: str, message: str) -> None:
        record = self._records[tid]
        record.status, record.error = TaskStatus.TIMED_OUT, TaskTimeoutError(message)
        record.finished_at = self._now()
        del self._running[tid]
        self.logger.warning(message)
        self._queue.cancel_dependents(tid)
        # The stuck thread keeps its executor thread: start later tasks on a fresh executor.
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
        self._cond.notify_all()

    def _call_on_timeout(self, task: ExecutionTask) -> None:
        if self._on_timeout is None:
            return
        try:
            self._on_timeout(task)
        except Exception as err:  # a failing hook must not stop the scheduler
            self.logger.warning(f"on_timeout hook failed for {task.task_id}: {err}")

    def _now(self) -> float:
        return time.monotonic() - self._t0

    # -- waiting, results, shutdown --------------------------------------------------------------

    def wait_for_completion(self, timeout: float | None = None) -> bool:
        """Block until every submitted task is final or `timeout` passes. True when all
        finished in time and every one completed successfully."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._all_final():
                remaining = None if end is None else end - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return all(r.status is TaskStatus.COMPLETED for r in self._records.values())

    def _all_final(self) -> bool:
        return all(r.status in FINAL for r in self._records.values())

    def abort(self, reason: str) -> list[ExecutionTask]:
        """Report running tasks as timed out and cancel those not started; returns the
        tasks that were running (for the caller's `on_timeout`)."""
        with self._cond:
            running = [self._tasks[t] for t in self._running]
            for task in running:
                self._time_out(task.task_id, f"task {task.task_id!r} {reason}")
            self._queue.cancel_pending(reason)
            return running

    def get_results(self) -> dict[str, TaskResult]:
        with self._cond:
            return dict(self._records)

    def get_task_result(self, task_id: str) -> TaskResult:
        with self._cond:
            return self._records[task_id]

    def get_performance_metrics(self) -> dict[str, Any]:
        """Counts per status, wall and task time, efficiency, concurrency, queue wait, and the
        critical path, all measured."""
        with self._cond:
            limit = min(self.max_workers, max(len(self._records), 1))
            return compute_metrics(self._records, self._tasks, limit, self._peak, self._order,
                                   self._now())

    def shutdown(self, wait: bool = True) -> None:
        """Cancel what has not started; with `wait`, let running (not timed-out) tasks finish."""
        with self._cond:
            self._queue.cancel_pending("the pool was shut down")
        if wait:
            self.wait_for_completion()
        with self._cond:
            self._closed = True
            executor, self._executor = self._executor, None
            self._cond.notify_all()
        if executor is not None:
            executor.shutdown(wait=False)

    def __enter__(self) -> DynamicWorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(wait=True)
