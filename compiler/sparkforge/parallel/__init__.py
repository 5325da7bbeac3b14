"""Dynamic parallel execution: run a graph of tasks on threads (the seed's `sparkforge.parallel`).

Modules, lowest first: `tasks` (what a task is, what became of it, graph checks), `metrics`
(measurements and advice from finished tasks), `task_queue` (which tasks wait, are ready or were
cancelled), `worker_pool` (threads that start ready tasks by priority), `executor` (one task graph
per call, on a fresh pool). Import from here; the module split is an implementation detail.
"""

from __future__ import annotations

from sparkforge.parallel.executor import DynamicParallelExecutor, spark_task_hooks
from sparkforge.parallel.tasks import (
    ExecutionTask,
    TaskCancelledError,
    TaskGraphError,
    TaskPriority,
    TaskResult,
    TaskStatus,
    TaskTimeoutError,
    TaskWrapper,
    check_task_graph,
    create_execution_task,
)
from sparkforge.parallel.worker_pool import DynamicWorkerPool

__all__ = [
    "DynamicParallelExecutor",
    "DynamicWorkerPool",
    "ExecutionTask",
    "TaskCancelledError",
    "TaskGraphError",
    "TaskPriority",
    "TaskResult",
    "TaskStatus",
    "TaskTimeoutError",
    "TaskWrapper",
    "check_task_graph",
    "create_execution_task",
    "spark_task_hooks",
]
