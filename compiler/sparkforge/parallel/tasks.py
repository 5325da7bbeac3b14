"""Task types of the parallel executor: what a task is, what became of it, and graph checks.

Input: a callable with its arguments, priority, dependencies and limits. Output: `ExecutionTask`
values, `TaskResult` records, and `check_task_graph`, which orders a task list so that
dependencies come first or raises `TaskGraphError` (duplicates, unknown ids, cycles with path).
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, Protocol

__all__ = [
    "FINAL",
    "ExecutionTask",
    "LoggerLike",
    "TaskCancelledError",
    "TaskGraphError",
    "TaskPriority",
    "TaskResult",
    "TaskStatus",
    "TaskTimeoutError",
    "TaskWrapper",
    "check_task_graph",
    "create_execution_task",
]


class TaskPriority(IntEnum):
    """Among ready tasks the highest value starts first (CRITICAL > HIGH > ... > BACKGROUND)."""

    BACKGROUND = 0
    LOW = 1
    NORMAL = 2
    HIGH = 3
    CRITICAL = 4


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


FINAL = frozenset({TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.TIMED_OUT,
                    TaskStatus.CANCELLED})


class TaskGraphError(ValueError):
    """Duplicate ids, unknown dependencies or a dependency cycle, found before anything runs."""


class TaskTimeoutError(TimeoutError):
    """A task ran longer than its `timeout_seconds` (or the execution's overall timeout)."""


class TaskCancelledError(RuntimeError):
    """A task never started because a task it depends on did not complete."""


@dataclass(eq=False)
class ExecutionTask:
    """One unit of work. `pool` names the Spark scheduler pool a task wrapper should set."""

    task_id: str
    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    priority: TaskPriority = TaskPriority.NORMAL
    dependencies: set[str] = field(default_factory=set)
    estimated_duration: float | None = None
    memory_requirement_mb: float | None = None
    timeout_seconds: float | None = None
    pool: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.task_id, str) or not self.task_id:
            raise TaskGraphError(f"task_id must be a non-empty string, got {self.task_id!r}")
        if not callable(self.function):
            raise TaskGraphError(f"task {self.task_id!r}: function is not callable")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise TaskGraphError(f"task {self.task_id!r}: timeout_seconds must be > 0")
        self.priority = TaskPriority(self.priority)
        self.args = tuple(self.args)
        self.dependencies = set(self.dependencies)
        if self.task_id in self.dependencies:
            raise TaskGraphError(f"task {self.task_id!r} depends on itself")


@dataclass
class TaskResult:
    """What happened to one task. Times are seconds since the pool's first submission."""

    task_id: str
    status: TaskStatus = TaskStatus.PENDING
    result: Any = None
    error: BaseException | None = None
    ready_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    worker: str | None = None

    @property
    def duration_secs(self) -> float:
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return self.finished_at - self.started_at


TaskWrapper = Callable[[ExecutionTask, Callable[[], Any]], Any]


class LoggerLike(Protocol):
    def info(self, msg: str, /) -> object: ...
    def warning(self, msg: str, /) -> object: ...
    def debug(self, msg: str, /) -> object: ...


def create_execution_task(
    task_id: str,
    function: Callable[..., Any],
    *args: Any,
    priority: TaskPriority = TaskPriority.NORMAL,
    dependencies: Iterable[str] = (),
    timeout_seconds: float | None = None,
    estimated_duration: float | None = None,
    memory_requirement_mb: float | None = None,
    pool: str | None = None,
    **kwargs: Any,
) -> ExecutionTask:
    """`ExecutionTask` from positional and keyword arguments of `function` (keywords named like
    this helper's own parameters must be passed through `ExecutionTask(kwargs=...)`)."""
    return ExecutionTask(task_id, function, args, dict(kwargs), priority, set(dependencies),
                         estimated_duration, memory_requirement_mb, timeout_seconds, pool)


def check_task_graph(tasks: Sequence[ExecutionTask], known: Iterable[str] = ()) -> list[str]:
    """Task ids in a dependency-respecting order; `TaskGraphError` for duplicates, unknown
    dependencies (with the known ids) or a cycle (with its path)."""
    known_ids = set(known)
    ids = [t.task_id for t in tasks]
    duplicates = sorted({i for i in ids if ids.count(i) > 1} | (set(ids) & known_ids))
    if duplicates:
        raise TaskGraphError(f"duplicate task ids: {', '.join(duplicates)}")
    everything = known_ids | set(ids)
    for task in tasks:
        unknown = sorted(task.dependencies - everything)
        if unknown:
            raise TaskGraphError(
                f"task {task.task_id!r} depends on unknown task(s) {', '.join(unknown)}; "
                f"known tasks: {', '.join(sorted(everything)) or 'none'}"
            )
    sorter = graphlib.TopologicalSorter({t.task_id: t.dependencies - known_ids for t in tasks})
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as err:
        cycle = list(reversed(err.args[1]))
        raise TaskGraphError(f"dependency cycle: {' -> '.join(cycle)}") from None
