"""Run a graph of tasks on threads: dependencies first, priorities among ready tasks, timeouts.

Input: `ExecutionTask`s (a callable, its arguments, a priority, the ids it depends on, an optional
timeout, memory estimate and Spark scheduler pool). Output: per-task results, errors and statuses
(completed, failed, timed_out, cancelled because a dependency did not complete), measured metrics
and recommendations derived from them.

Threads cannot be killed in Python: a timed-out task is reported as timed out at once and its
worker slot is given to the next task, but its thread runs on in the background (a Spark caller
should cancel the task's job group in `on_timeout`, see `spark_task_hooks`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sparkforge_runtime.connect import cancel_job_group, clear_job_group, set_job_group

from sparkforge.parallel.metrics import recommend
from sparkforge.parallel.tasks import (
    FINAL,
    ExecutionTask,
    LoggerLike,
    TaskStatus,
    TaskWrapper,
    check_task_graph,
)
from sparkforge.parallel.worker_pool import DynamicWorkerPool

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["DynamicParallelExecutor", "spark_task_hooks"]


class DynamicParallelExecutor:
    """Runs a whole task graph per call to `execute_parallel` on a fresh `DynamicWorkerPool`."""

    def __init__(
        self,
        max_workers: int = 4,
        *,
        min_workers: int = 1,
        task_wrapper: TaskWrapper | None = None,
        on_timeout: Callable[[ExecutionTask], None] | None = None,
        memory_budget_mb: float | None = None,
        logger: LoggerLike | None = None,
    ) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self.max_workers, self.min_workers = max_workers, min(min_workers, max_workers)
        self.task_wrapper, self.on_timeout, self.memory_budget_mb = (
            task_wrapper, on_timeout, memory_budget_mb
        )
        self.logger: LoggerLike = logger or logging.getLogger("sparkforge.parallel")
        self._lock = threading.Lock()
        self._current: tuple[DynamicWorkerPool, list[ExecutionTask], float | None] | None = None
        self._last: dict[str, Any] | None = None
        self._history = {"executions": 0, "tasks": 0, "failed_tasks": 0, "timed_out_tasks": 0}

    def execute_parallel(
        self,
        tasks: Sequence[ExecutionTask],
        wait_for_completion: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Run `tasks`; see the module docstring. With `wait_for_completion=False` this returns
        `{"status": "running", ...}` at once and `collect_results()` returns the outcome.
        `timeout` bounds the whole execution: what is still running then is reported timed out
        and what has not started is cancelled."""
        tasks = list(tasks)
        check_task_graph(tasks)  # before any thread starts
        workers = max(1, min(self.max_workers, len(tasks)))
        pool = DynamicWorkerPool(min(self.min_workers, workers), workers, self.logger,
                                 task_wrapper=self.task_wrapper, on_timeout=self.on_timeout,
                                 memory_budget_mb=self.memory_budget_mb)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            if self._current is not None:
                raise RuntimeError("an execution is still running; call collect_results() first")
            self._current = (pool, tasks, deadline)
        if tasks:
            pool.submit_tasks(tasks)
        if not wait_for_completion:
            return {"status": "running", "success": None, "task_ids": [t.task_id for t in tasks]}
        return self.collect_results()

    def collect_results(self, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the current execution (up to its own timeout) and return its result dict."""
        with self._lock:
            if self._current is None:
                if self._last is None:
                    raise RuntimeError("nothing has been executed yet")
                return self._last
            pool, tasks, deadline = self._current
        limits = [t for t in (timeout, None if deadline is None else deadline - time.monotonic())
                  if t is not None]
        if not pool.wait_for_completion(max(min(limits), 0.0) if limits else None):
            for task in pool.abort("did not finish within the execution timeout"):
                pool._call_on_timeout(task)
        pool.shutdown(wait=False)
        result = self._summarise(pool, tasks)
        with self._lock:
            self._current, self._last = None, result
            self._history["executions"] += 1
            self._history["tasks"] += len(tasks)
            self._history["failed_tasks"] += len(result["failed_tasks"])
            self._history["timed_out_tasks"] += len(result["timed_out_tasks"])
        return result

    def _summarise(self, pool: DynamicWorkerPool, tasks: list[ExecutionTask]) -> dict[str, Any]:
        records = pool.get_results()
        by_status = {s: [t.task_id for t in tasks if records[t.task_id].status is s] for s in FINAL}
        metrics = pool.get_performance_metrics()
        success = len(by_status[TaskStatus.COMPLETED]) == len(tasks)
        self.logger.info(
            f"executed {len(tasks)} task(s) in {metrics['wall_time_secs']:.3f}s: "
            f"{len(by_status[TaskStatus.COMPLETED])} completed, "
            f"{len(tasks) - len(by_status[TaskStatus.COMPLETED])} not"
        )
        return {
            "status": "completed" if success else "failed",
            "success": success,
            "results": {t: records[t].result for t in by_status[TaskStatus.COMPLETED]},
            "errors": {t.task_id: records[t.task_id].error for t in tasks
                       if records[t.task_id].error is not None},
            "task_status": {t.task_id: records[t.task_id].status.value for t in tasks},
            "completed_tasks": by_status[TaskStatus.COMPLETED],
            "failed_tasks": by_status[TaskStatus.FAILED],
            "timed_out_tasks": by_status[TaskStatus.TIMED_OUT],
            "cancelled_tasks": by_status[TaskStatus.CANCELLED],
            "execution_order": metrics["execution_order"],
            "task_results": records,
            "metrics": metrics,
            "recommendations": recommend(metrics, records, {t.task_id: t for t in tasks}),
        }

    def get_performance_metrics(self) -> dict[str, Any]:
        """Metrics of the last execution plus totals over this executor's lifetime."""
        with self._lock:
            last = dict(self._last["metrics"]) if self._last else {}
            return {**last, "lifetime": dict(self._history)}

    def get_optimization_recommendations(self) -> list[str]:
        """Advice computed from the last execution's measurements ([] when nothing to say)."""
        with self._lock:
            return list(self._last["recommendations"]) if self._last else []


def spark_task_hooks(
    spark: SparkSession, group_prefix: str = "sparkforge"
) -> tuple[TaskWrapper, Callable[[ExecutionTask], None]]:
    """A task wrapper that sets the task's scheduler pool and job group on its own thread (and
    clears them after, since pooled threads are reused), and an `on_timeout` hook that cancels
    the timed-out task's Spark jobs.

    Cancelling a job group only stops jobs already submitted, and a timed-out task may still be
    planning its next job; so the hook keeps cancelling the group until the task's thread ends.
    """
    finished: dict[str, threading.Event] = {}
    lock = threading.Lock()

    def wrapper(task: ExecutionTask, call: Callable[[], Any]) -> Any:
        done = threading.Event()
        with lock:
            finished[task.task_id] = done
        set_job_group(spark, f"{group_prefix}:{task.task_id}", f"sparkforge task {task.task_id}",
                      pool=task.pool, interrupt=True)  # a session tag over Spark Connect
        try:
            return call()
        finally:
            done.set()
            clear_job_group(spark, keys=("spark.scheduler.pool", "spark.jobGroup.id",
                                         "spark.job.description", "spark.job.interruptOnCancel"))

    def keep_cancelling(group: str, done: threading.Event | None) -> None:
        while True:
            try:
                cancel_job_group(spark, group)
            except Exception:  # the SparkContext has stopped: nothing left to cancel
                return
            if done is None or done.wait(0.25):
                return

    def on_timeout(task: ExecutionTask) -> None:
        with lock:
            done = finished.get(task.task_id)
        threading.Thread(target=keep_cancelling, args=(f"{group_prefix}:{task.task_id}", done),
                         daemon=True, name=f"sparkforge-cancel-{task.task_id}").start()

    return wrapper, on_timeout
