"""DynamicParallelExecutor and DynamicWorkerPool: dependencies, priorities, timeouts, metrics."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sparkforge.parallel import (
    DynamicParallelExecutor,
    DynamicWorkerPool,
    ExecutionTask,
    TaskCancelledError,
    TaskGraphError,
    TaskPriority,
    TaskStatus,
    TaskTimeoutError,
    create_execution_task,
    spark_task_hooks,
)


class Recorder:
    """Records start/end times and concurrency of the tasks it wraps."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: dict[str, tuple[float, float]] = {}
        self.order: list[str] = []
        self.active = 0
        self.peak = 0

    def task(self, name: str, seconds: float = 0.02, result: Any = None,
             error: Exception | None = None) -> Callable[[], Any]:
        def run() -> Any:
            with self.lock:
                self.order.append(name)
                self.active += 1
                self.peak = max(self.peak, self.active)
            start = time.monotonic()
            time.sleep(seconds)
            with self.lock:
                self.active -= 1
                self.events[name] = (start, time.monotonic())
            if error is not None:
                raise error
            return name if result is None else result

        return run


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown so that threads of timed-out tasks end and the test run exits quickly."""
    event = threading.Event()
    yield event
    event.set()


def test_task_priority_is_ordered() -> None:
    assert (TaskPriority.CRITICAL > TaskPriority.HIGH > TaskPriority.NORMAL > TaskPriority.LOW
            > TaskPriority.BACKGROUND)


def test_create_execution_task_passes_arguments() -> None:
    task = create_execution_task("t", lambda a, b, c=0: a + b + c, 1, 2, c=3,
                                 priority=TaskPriority.HIGH, dependencies=["x"], timeout_seconds=5,
                                 pool="gold")
    assert (task.args, task.kwargs, task.priority, task.dependencies) == (
        (1, 2), {"c": 3}, TaskPriority.HIGH, {"x"})
    assert task.timeout_seconds == 5 and task.pool == "gold"
    full = ExecutionTask(task_id="my_task", function=len, args=("abc",), kwargs={},
                         priority=TaskPriority.HIGH, dependencies={"prerequisite_task"},
                         estimated_duration=30.0, memory_requirement_mb=256.0, timeout_seconds=300)
    assert full.memory_requirement_mb == 256.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"task_id": ""}, "non-empty"), ({"function": 3}, "not callable"),
     ({"timeout_seconds": 0}, "timeout_seconds"), ({"dependencies": {"t"}}, "depends on itself")],
)
def test_execution_task_validation(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"task_id": "t", "function": print, **kwargs}
    with pytest.raises(TaskGraphError, match=message):
        ExecutionTask(**args)


def test_graph_with_dependencies_priorities_timeout_and_failure(
    release: threading.Event,
) -> None:
    rec = Recorder()
    timed_out: list[str] = []
    ex = DynamicParallelExecutor(max_workers=2, on_timeout=lambda t: timed_out.append(t.task_id))
    tasks = [
        create_execution_task("extract", rec.task("extract")),
        create_execution_task("audit", rec.task("audit"), priority=TaskPriority.CRITICAL),
        create_execution_task("clean", rec.task("clean"), dependencies={"extract"}),
        create_execution_task("enrich", rec.task("enrich"), dependencies={"extract", "audit"}),
        create_execution_task("report", rec.task("report", result=42),
                              dependencies={"clean", "enrich"}),
        create_execution_task("stuck", lambda: release.wait(10), timeout_seconds=0.15,
                              priority=TaskPriority.BACKGROUND),
        create_execution_task("after_stuck", rec.task("after_stuck"), dependencies={"stuck"}),
        create_execution_task("broken", rec.task("broken", error=ValueError("bad input"))),
        create_execution_task("after_broken", rec.task("after_broken"), dependencies={"broken"}),
        create_execution_task("after_after", rec.task("after_after"),
                              dependencies={"after_broken"}),
    ]
    started = time.monotonic()
    result = ex.execute_parallel(tasks)
    assert time.monotonic() - started < 1.5  # did not wait for the stuck thread
    assert result["success"] is False and result["status"] == "failed"
    assert result["results"] == {"extract": "extract", "audit": "audit", "clean": "clean",
                                 "enrich": "enrich", "report": 42}
    assert result["timed_out_tasks"] == ["stuck"] and timed_out == ["stuck"]
    assert isinstance(result["errors"]["stuck"], TaskTimeoutError)
    assert result["failed_tasks"] == ["broken"]
    assert isinstance(result["errors"]["broken"], ValueError)
    assert set(result["cancelled_tasks"]) == {"after_stuck", "after_broken", "after_after"}
    assert isinstance(result["errors"]["after_after"], TaskCancelledError)
    assert "after_broken" in str(result["errors"]["after_after"])
    # dependencies first
    for task in tasks:
        for dep in task.dependencies:
            if task.task_id in rec.events and dep in rec.events:
                assert rec.events[dep][1] <= rec.events[task.task_id][0]
    # highest priority first among the initially ready tasks, BACKGROUND last
    assert result["execution_order"][0] == "audit"
    assert result["execution_order"].index("stuck") > result["execution_order"].index("broken")
    assert rec.peak <= 2 and result["metrics"]["max_concurrency"] <= 2
    assert result["task_status"]["after_stuck"] == TaskStatus.CANCELLED.value


def test_priorities_order_a_single_worker_and_estimates_break_ties() -> None:
    rec = Recorder()
    tasks = [
        ExecutionTask("bg", rec.task("bg", 0), priority=TaskPriority.BACKGROUND),
        ExecutionTask("low", rec.task("low", 0), priority=TaskPriority.LOW),
        ExecutionTask("n_short", rec.task("n_short", 0), estimated_duration=1),
        ExecutionTask("n_long", rec.task("n_long", 0), estimated_duration=9),
        ExecutionTask("n_plain", rec.task("n_plain", 0)),
        ExecutionTask("high", rec.task("high", 0), priority=TaskPriority.HIGH),
        ExecutionTask("crit", rec.task("crit", 0), priority=TaskPriority.CRITICAL),
    ]
    result = DynamicParallelExecutor(max_workers=1).execute_parallel(tasks)
    assert rec.order == ["crit", "high", "n_long", "n_short", "n_plain", "low", "bg"]
    assert result["execution_order"] == rec.order


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([("a", {"missing"})], "depends on unknown task\\(s\\) missing; known tasks: a"),
        ([("a", {"b"}), ("b", {"c"}), ("c", {"a"})], "dependency cycle: .*a.* -> .*"),
        ([("a", set()), ("a", set())], "duplicate task ids: a"),
    ],
)
def test_bad_graphs_fail_before_anything_runs(
    tasks: list[tuple[str, set[str]]], message: str
) -> None:
    ran: list[str] = []
    graph = [ExecutionTask(t, lambda t=t: ran.append(t), dependencies=deps) for t, deps in tasks]
    with pytest.raises(TaskGraphError, match=message):
        DynamicParallelExecutor().execute_parallel(graph)
    assert ran == []


def test_cycle_message_shows_the_path() -> None:
    graph = [ExecutionTask("a", print, dependencies={"b"}), ExecutionTask("b", print,
                                                                           dependencies={"a"})]
    with pytest.raises(TaskGraphError) as info:
        DynamicParallelExecutor().execute_parallel(graph)
    path = str(info.value).removeprefix("dependency cycle: ").split(" -> ")
    assert path[0] == path[-1] and set(path) == {"a", "b"}


def test_overall_timeout_reports_running_and_cancels_the_rest(release: threading.Event) -> None:
    tasks = [
        create_execution_task("slow", lambda: release.wait(10)),
        create_execution_task("next", lambda: None, dependencies={"slow"}),
    ]
    started = time.monotonic()
    result = DynamicParallelExecutor().execute_parallel(tasks, timeout=0.15)
    assert time.monotonic() - started < 1.0
    assert result["timed_out_tasks"] == ["slow"] and result["cancelled_tasks"] == ["next"]
    assert "execution timeout" in str(result["errors"]["slow"])


def test_no_wait_then_collect_results() -> None:
    gate = threading.Event()
    ex = DynamicParallelExecutor()
    handle = ex.execute_parallel([create_execution_task("t", lambda: gate.wait(5) and "done")],
                                 wait_for_completion=False)
    assert handle["status"] == "running" and handle["task_ids"] == ["t"]
    with pytest.raises(RuntimeError, match="still running"):
        ex.execute_parallel([create_execution_task("u", print)])
    gate.set()
    result = ex.collect_results()
    assert result["results"] == {"t": "done"} and ex.collect_results() is result


def test_metrics_and_critical_path_are_measured() -> None:
    rec = Recorder()
    ex = DynamicParallelExecutor(max_workers=4)
    assert ex.get_performance_metrics() == {"lifetime": {"executions": 0, "tasks": 0,
                                                         "failed_tasks": 0, "timed_out_tasks": 0}}
    assert ex.get_optimization_recommendations() == []
    tasks = [
        create_execution_task("a", rec.task("a", 0.1)),
        create_execution_task("b", rec.task("b", 0.1), dependencies={"a"}),
        create_execution_task("side", rec.task("side", 0.02)),
    ]
    ex.execute_parallel(tasks)
    m = ex.get_performance_metrics()
    assert m["critical_path"] == ["a", "b"]
    assert m["critical_path_secs"] == pytest.approx(0.2, abs=0.08)
    assert m["wall_time_secs"] >= m["critical_path_secs"] - 1e-6
    assert m["total_task_time_secs"] == pytest.approx(sum(m["task_durations"].values()))
    assert m["speedup"] == pytest.approx(m["total_task_time_secs"] / m["wall_time_secs"])
    assert 0 < m["parallel_efficiency"] <= 1 and m["worker_limit"] == 3
    assert m["max_concurrency"] == rec.peak == 2 and m["completed_tasks"] == 3
    assert m["lifetime"] == {"executions": 1, "tasks": 3, "failed_tasks": 0, "timed_out_tasks": 0}
    advice = ex.get_optimization_recommendations()
    assert any("at most 2 of 3 workers" in a for a in advice)
    assert any("critical path a -> b" in a for a in advice)


def test_recommendations_from_measurements(release: threading.Event) -> None:
    ex = DynamicParallelExecutor(max_workers=1)
    ex.execute_parallel([
        ExecutionTask("quick", lambda: time.sleep(0.2), estimated_duration=0.01),
        ExecutionTask("stuck", lambda: release.wait(10), timeout_seconds=0.05),
        ExecutionTask("broken", lambda: 1 / 0),
    ])
    advice = " | ".join(ex.get_optimization_recommendations())
    assert "1 task(s) timed out (stuck)" in advice
    assert "1 task(s) failed (broken)" in advice
    assert "'quick' took 0.2" in advice and "estimated at 0.01s" in advice
    assert "waited" in advice and "raising max_workers (now 1)" in advice


def test_task_wrapper_wraps_every_call() -> None:
    seen: list[tuple[str, str | None]] = []

    def wrapper(task: ExecutionTask, call: Callable[[], Any]) -> Any:
        seen.append((task.task_id, task.pool))
        return ("wrapped", call())

    ex = DynamicParallelExecutor(task_wrapper=wrapper)
    result = ex.execute_parallel([create_execution_task("t", lambda: 1, pool="gold"),
                                  create_execution_task("u", lambda: 2)])
    assert result["results"] == {"t": ("wrapped", 1), "u": ("wrapped", 2)}
    assert sorted(seen) == [("t", "gold"), ("u", None)]


def test_empty_task_list() -> None:
    result = DynamicParallelExecutor().execute_parallel([])
    assert result["success"] is True and result["results"] == {}


def test_worker_pool_submit_wait_metrics_and_shutdown() -> None:
    rec = Recorder()
    with DynamicWorkerPool(min_workers=1, max_workers=3) as pool:
        assert pool.submit_task(create_execution_task("a", rec.task("a"))) == "a"
        assert pool.submit_task(create_execution_task("b", rec.task("b"), dependencies={"a"})) == "b"
        with pytest.raises(TaskGraphError, match="unknown"):
            pool.submit_task(create_execution_task("c", print, dependencies={"later"}))
        with pytest.raises(TaskGraphError, match="duplicate"):
            pool.submit_task(create_execution_task("a", print))
        assert pool.wait_for_completion(timeout=5) is True
        assert pool.get_task_result("b").result == "b"
        metrics = pool.get_performance_metrics()
        assert metrics["completed_tasks"] == 2 and metrics["critical_path"] == ["a", "b"]
        # a dependency that already failed cancels the new task at once
        pool.submit_task(create_execution_task("bad", rec.task("bad", error=KeyError("x"))))
        assert pool.wait_for_completion(timeout=5) is False
        pool.submit_task(create_execution_task("late", print, dependencies={"bad"}))
        assert pool.get_task_result("late").status is TaskStatus.CANCELLED
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit_task(create_execution_task("z", print))


def test_worker_pool_wait_times_out(release: threading.Event) -> None:
    pool = DynamicWorkerPool(max_workers=1)
    pool.submit_task(create_execution_task("slow", lambda: release.wait(10)))
    assert pool.wait_for_completion(timeout=0.05) is False
    release.set()
    assert pool.wait_for_completion(timeout=5) is True
    pool.shutdown()


def test_memory_budget_limits_concurrency_but_never_below_min_workers() -> None:
    rec = Recorder()
    pool = DynamicWorkerPool(min_workers=1, max_workers=4, memory_budget_mb=1000)
    pool.submit_tasks([ExecutionTask(f"big{i}", rec.task(f"big{i}", 0.03), memory_requirement_mb=600)
                       for i in range(3)]
                      + [ExecutionTask("huge", rec.task("huge", 0.03), memory_requirement_mb=5000)])
    assert pool.wait_for_completion(timeout=5) is True
    assert rec.peak == 1  # 600 + 600 > 1000, and "huge" runs alone
    pool.shutdown()


def test_worker_pool_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        DynamicWorkerPool(min_workers=0)
    with pytest.raises(ValueError):
        DynamicWorkerPool(min_workers=5, max_workers=2)
    with pytest.raises(ValueError):
        DynamicParallelExecutor(max_workers=0)


def test_spark_hooks_set_pool_and_job_group_per_task(spark) -> None:  # type: ignore[no-untyped-def]
    sc = spark.sparkContext
    wrapper, on_timeout = spark_task_hooks(spark, group_prefix="pt")

    def job(name: str) -> tuple[str | None, str | None, int]:
        rows = spark.range(100).count()
        return sc.getLocalProperty("spark.scheduler.pool"), sc.getLocalProperty(
            "spark.jobGroup.id"), rows

    ex = DynamicParallelExecutor(max_workers=2, task_wrapper=wrapper, on_timeout=on_timeout)
    result = ex.execute_parallel([create_execution_task("s1", job, "s1", pool="silver"),
                                  create_execution_task("g1", job, "g1", pool="gold")])
    assert result["results"] == {"s1": ("silver", "pt:s1", 100), "g1": ("gold", "pt:g1", 100)}
    assert sc.statusTracker().getJobIdsForGroup("pt:s1")
    assert sc.statusTracker().getJobIdsForGroup("pt:g1")

    # a timed-out Spark task is cancelled through its job group, so its thread ends soon
    finished = threading.Event()
    failure: list[str] = []

    def endless() -> None:
        try:  # about 10^12 rows: minutes of work unless cancelled
            spark.range(0, 10**12, numPartitions=2).filter("id % 1000003 = 17").count()
        except Exception as err:
            failure.append(str(err))
        finally:
            finished.set()

    result = ex.execute_parallel([create_execution_task("long", endless, timeout_seconds=0.5)])
    assert result["timed_out_tasks"] == ["long"]
    assert finished.wait(30), "the cancelled Spark job did not stop"
    assert failure and "cancel" in failure[0].lower()
