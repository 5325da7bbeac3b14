"""Read a Spark event log after the process has exited: jobs, stages, input bytes, memory peaks.

Input: the event-log directory of one run (`spark.eventLog.dir`, uncompressed, not rolling). Output:
`EventLogMetrics`, with every job classified by what started it:

    gate         the runtime's validation pass inside a step's job group: the observed scan into
                 Spark's no-op sink that fills the cache and yields total / valid rows (or, in
                 older runtimes, a count over the cache), which decides whether the step may write
    watermark    an action in tables.py (the newest watermark of a silver table, incremental runs)
    count        a `count()` outside the runtime (the hand-written validation's counts)
    table write  a write of a silver or gold table (every job under that write's SQL execution,
                 Delta's own log reads included)
    log write    the append to the run-log table (`pipeline_logs`), and its creation when missing
    read         jobs of a reader (CSV header and schema inference, file listing)
    delta        Delta's own jobs outside any write (loading a table snapshot)
    other        anything else

A job's class comes from the root SQL execution it belongs to (the Python call site and the JVM
entry point of that execution), so jobs that Spark splits off for adaptive query stages or a cached
relation count with the action that caused them. Bytes are `Task Metrics / Input Metrics / Bytes
Read` summed over tasks; reads of Spark's cache count too (they are reads of data).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sparkforge_runtime.lease import LEASE_JOB_GROUP
from sparkforge_runtime.runs import RUN_JOB_GROUP
from sparkforge_runtime.scheduler import LOG_JOB_GROUP
from sparkforge_runtime.watermark import WATERMARK_JOB_GROUP

GATE_FILES = ("sparkforge_runtime/verbs.py", "sparkforge_runtime/connect.py")  # validate; its count
WATERMARK_FILES = ("sparkforge_runtime/tables.py", "sparkforge_runtime/watermark.py")
LOG_TABLE_MARK = "pipeline_logs"
NOOP_MARK = "Arguments: NoopWrite"
READ_VERBS = ("csv", "json", "parquet", "orc", "text", "load", "table")
MB = 1024.0 * 1024.0


@dataclass(slots=True)
class JobInfo:
    job_id: int
    category: str
    group: str
    call_site: str
    stages: int = 0
    input_bytes: int = 0
    task_cpu_s: float = 0.0
    submitted_ms: int = 0
    completed_ms: int = 0


@dataclass(slots=True)
class EventLogMetrics:
    jobs: int = 0
    stages: int = 0  # stages that ran (skipped stages excluded)
    tasks: int = 0
    input_bytes: int = 0  # every byte tasks read: files, tables and Spark's cache
    cache_bytes: int = 0  # of which re-reads of data an earlier stage put in Spark's cache
    task_cpu_s: float = 0.0  # Executor CPU Time summed over tasks
    task_run_s: float = 0.0  # Executor Run Time summed over tasks
    app_s: float = 0.0  # application start -> end
    span_s: float = 0.0  # first job submitted -> last job completed
    jvm_heap_peak_mb: float = 0.0
    jvm_rss_peak_mb: float = 0.0
    jobs_by_category: dict[str, int] = field(default_factory=dict)
    bytes_by_category: dict[str, int] = field(default_factory=dict)
    cpu_by_category: dict[str, float] = field(default_factory=dict)
    gate_jobs_by_step: dict[str, int] = field(default_factory=dict)
    job_list: list[JobInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventLogMetrics:
        jobs = [JobInfo(**j) for j in data.get("job_list", [])]
        return cls(**{**data, "job_list": jobs})


def _log_file(log_dir: Path) -> Path:
    files = sorted(p for p in log_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise FileNotFoundError(f"no event log in {log_dir}")
    return max(files, key=lambda p: p.stat().st_size)


def _action_kind(details: str) -> str:
    """What started a SQL execution, from the first frame of its JVM call stack."""
    head = details.splitlines()[0] if details else ""
    if "DataFrameReader" in head or "DataSource" in head:
        return "read"
    if "DataFrameWriter" in head or "DeltaMerge" in head or "saveAsTable" in head:
        return "write"
    if "org.apache.spark.sql.delta" in head:
        return "delta"
    if ".Dataset.count(" in head:
        return "count"
    return "action"


def _category(kind: str, plan: str, python_site: str, group: str, stage_name: str) -> str:
    if group in (RUN_JOB_GROUP, LEASE_JOB_GROUP):
        return "run bookkeeping"  # the lease that keeps runs apart, and the runs table
    if group == LOG_JOB_GROUP:
        return "log write"  # the run log's table, created while the first steps run
    if kind == "none":  # an RDD job outside SQL: schema inference reads the file, for instance
        return "read" if stage_name.split(" at ", 1)[0] in READ_VERBS else "other"
    if kind == "write" and NOOP_MARK in plan:
        return "gate"  # the runtime's observed scan into the no-op sink that fills the cache
    if kind == "write":
        return "log write" if LOG_TABLE_MARK in plan else "table write"
    if kind in ("read", "delta", "count"):
        return kind
    if group.startswith(WATERMARK_JOB_GROUP) or any(f in python_site for f in WATERMARK_FILES):
        return "watermark"
    # Inside a step's job group the runtime's only action besides reads and writes is the gate's
    # count (the Python call site is not always recorded: PySpark sets it for one thread at a time).
    if group.startswith("sparkforge:") or any(f in python_site for f in GATE_FILES):
        return "gate"
    return "other"


class _Parser:
    """Walks the events once, in order."""

    def __init__(self) -> None:
        self.m = EventLogMetrics()
        self.root_of: dict[int, int] = {}
        self.sql: dict[int, tuple[str, str]] = {}  # root execution -> (kind, plan head)
        self.root_site: dict[int, str] = {}  # root execution -> first Python call site seen
        self.jobs: dict[int, JobInfo] = {}
        self.job_root: dict[int, tuple[int | None, str]] = {}  # job -> (root execution, stage name)
        self.stage_owner: dict[int, int] = {}
        self.cached_done: set[int] = set()  # cached RDDs that a completed stage has filled
        self.stage_cached: dict[int, set[int]] = {}
        self.stage_reads_cache: set[int] = set()
        self.app_start = self.app_end = 0

    def feed(self, e: dict[str, Any]) -> None:
        kind = e.get("Event", "")
        handler = getattr(self, "_" + kind.rsplit(".", 1)[-1], None)
        if handler is not None:
            handler(e)

    def _SparkListenerApplicationStart(self, e: dict[str, Any]) -> None:
        self.app_start = int(e["Timestamp"])

    def _SparkListenerApplicationEnd(self, e: dict[str, Any]) -> None:
        self.app_end = int(e["Timestamp"])

    def _SparkListenerSQLExecutionStart(self, e: dict[str, Any]) -> None:
        exec_id = int(e["executionId"])
        root = int(e.get("rootExecutionId", exec_id))
        self.root_of[exec_id] = root
        if root == exec_id:
            full = e.get("physicalPlanDescription", "")
            plan = full[:4000] + (NOOP_MARK if NOOP_MARK in full else "")
            self.sql[root] = (_action_kind(e.get("details", "")), plan)

    def _SparkListenerJobStart(self, e: dict[str, Any]) -> None:
        props = e.get("Properties") or {}
        site = props.get("callSite.short", "")
        exec_id = props.get("spark.sql.execution.id")
        root = self.root_of.get(int(exec_id), int(exec_id)) if exec_id is not None else None
        # Jobs of adaptive query stages start on Spark's own threads and carry a JVM call site;
        # the Python call site of the action shows on the jobs started by the calling thread.
        if root is not None and ".py:" in site:
            self.root_site.setdefault(root, site)
        group = props.get("spark.jobGroup.id") or ""
        infos = e.get("Stage Infos") or [{}]
        job = JobInfo(int(e["Job ID"]), "", group, site)
        job.submitted_ms = int(e.get("Submission Time", 0))
        self.jobs[job.job_id] = job
        self.job_root[job.job_id] = (root, str(infos[0].get("Stage Name", "")))
        for stage in e.get("Stage IDs", []):
            self.stage_owner.setdefault(int(stage), job.job_id)

    def _SparkListenerJobEnd(self, e: dict[str, Any]) -> None:
        job = self.jobs.get(int(e["Job ID"]))
        if job is not None:
            job.completed_ms = int(e.get("Completion Time", 0))

    def _SparkListenerStageSubmitted(self, e: dict[str, Any]) -> None:
        self.m.stages += 1
        info = e["Stage Info"]
        stage = int(info["Stage ID"])
        owner = self.stage_owner.get(stage)
        if owner is not None:
            self.jobs[owner].stages += 1
        cached = {
            int(r["RDD ID"])
            for r in info.get("RDD Info", [])
            if r["Storage Level"]["Use Memory"] or r["Storage Level"]["Use Disk"]
        }
        self.stage_cached[stage] = cached
        # A stage whose lineage holds an RDD that an earlier stage already cached reads the cache.
        if cached & self.cached_done:
            self.stage_reads_cache.add(stage)

    def _SparkListenerStageCompleted(self, e: dict[str, Any]) -> None:
        info = e["Stage Info"]
        if not info.get("Failure Reason"):
            self.cached_done |= self.stage_cached.get(int(info["Stage ID"]), set())

    def _SparkListenerTaskEnd(self, e: dict[str, Any]) -> None:
        self.m.tasks += 1
        metrics = e.get("Task Metrics") or {}
        cpu = float(metrics.get("Executor CPU Time", 0)) / 1e9
        self.m.task_cpu_s += cpu
        self.m.task_run_s += float(metrics.get("Executor Run Time", 0)) / 1e3
        read = int((metrics.get("Input Metrics") or {}).get("Bytes Read", 0))
        self.m.input_bytes += read
        if int(e["Stage ID"]) in self.stage_reads_cache:
            self.m.cache_bytes += read
        owner = self.stage_owner.get(int(e["Stage ID"]))
        if owner is not None:
            self.jobs[owner].input_bytes += read
            self.jobs[owner].task_cpu_s += cpu
        self._peaks(e.get("Task Executor Metrics") or {})

    def _SparkListenerStageExecutorMetrics(self, e: dict[str, Any]) -> None:
        self._peaks(e.get("Executor Metrics") or {})

    def _peaks(self, values: dict[str, Any]) -> None:
        heap = float(values.get("JVMHeapMemory", 0)) / MB
        rss = float(values.get("ProcessTreeJVMRSSMemory", 0)) / MB
        self.m.jvm_heap_peak_mb = max(self.m.jvm_heap_peak_mb, heap)
        self.m.jvm_rss_peak_mb = max(self.m.jvm_rss_peak_mb, rss)

    def _classify(self, job: JobInfo) -> None:
        root, stage_name = self.job_root[job.job_id]
        kind, plan = self.sql.get(root, ("action", "")) if root is not None else ("none", "")
        site = self.root_site.get(root, "") if root is not None else ""
        job.call_site = site or job.call_site or stage_name
        job.category = _category(kind, plan, site, job.group, stage_name)

    def result(self) -> EventLogMetrics:
        m = self.m
        for job in self.jobs.values():
            self._classify(job)
        m.job_list = [self.jobs[k] for k in sorted(self.jobs)]
        m.jobs = len(m.job_list)
        m.jobs_by_category = dict(Counter(j.category for j in m.job_list))
        by_bytes: Counter[str] = Counter()
        by_cpu: Counter[str] = Counter()
        gates: Counter[str] = Counter()
        for job in m.job_list:
            by_bytes[job.category] += job.input_bytes
            by_cpu[job.category] += job.task_cpu_s
            if job.category == "gate":
                gates[job.group.removeprefix("sparkforge:")] += 1
        m.bytes_by_category = dict(by_bytes)
        m.cpu_by_category = {k: round(v, 3) for k, v in by_cpu.items()}
        m.gate_jobs_by_step = dict(sorted(gates.items()))
        if self.app_end and self.app_start:
            m.app_s = (self.app_end - self.app_start) / 1000.0
        if m.job_list:
            first = min(j.submitted_ms for j in m.job_list)
            last = max(j.completed_ms for j in m.job_list)
            m.span_s = max(0.0, (last - first) / 1000.0)
        return m


def parse_event_log(log_dir: Path) -> EventLogMetrics:
    """Parse the event log in `log_dir` (one application)."""
    parser = _Parser()
    with _log_file(Path(log_dir)).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                parser.feed(json.loads(line))
    return parser.result()


def describe(metrics: EventLogMetrics) -> str:
    """A short multi-line account of the jobs, for the report's appendix and for debugging."""
    rows = [
        f"job {j.job_id:>3}  {j.category:<12} {j.group or '-':<34} stages {j.stages}  "
        f"input {j.input_bytes / MB:8.2f} MB  cpu {j.task_cpu_s:6.2f}s  {j.call_site}"
        for j in metrics.job_list
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    found = parse_event_log(Path(sys.argv[1]))
    print(describe(found))
    print(json.dumps({k: v for k, v in found.to_dict().items() if k != "job_list"}, indent=2))
