"""Where the seconds of a small incremental run go: Spark jobs and their time per step.

Input: a folder with a sparkforge checkout's `compiler/` and `runtime/` (default: this one), a
number of orders. Output: one JSON document: for the e-commerce example's incremental run (after an
initial load, over 1% new orders, then over no new orders) the Spark jobs per job group (each step,
the watermark look-ups, the run log), their summed job time, and the run's Spark span and wall time.

Each run is its own process (its own Spark application and event log) on one warehouse and Derby
metastore, so the initial load's jobs never mix with the incremental run's.

    python -m benchmarks.step_costs --orders 2000 [--code /tmp/old-checkout] [--keep DIR] > costs.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.eventlog import parse_event_log

ROOT = Path(__file__).resolve().parent.parent
RUN = """
import sys, time
sys.path[:0] = [{example!r}]
import data, pipeline
from sparkforge_runtime.session import build_session
spark = build_session("step-costs", master="local[2]", warehouse_dir={warehouse!r}, extra_conf={conf!r})
orders = data.orders(spark, {orders} + {new}, customers=200)
customers = data.customers(spark, 200)
runner = pipeline.build(spark).to_pipeline()
started = time.time()
run = runner.initial_load if {mode!r} == "initial" else runner.run_incremental
result = run(bronze_sources={{"orders": orders, "customers": customers}})
print("WALL", time.time() - started)
assert result.success, result.error_message
spark.stop()
"""


def _run(code: Path, work: Path, mode: str, orders: int, new: int, label: str) -> dict[str, Any]:
    logs = work / "events" / label
    logs.mkdir(parents=True)
    conf = {
        "spark.eventLog.enabled": "true", "spark.eventLog.dir": str(logs), "spark.eventLog.compress": "false",
        "spark.eventLog.rolling.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
    }  # fmt: skip
    script = RUN.format(
        example=str(ROOT / "examples" / "ecommerce"), warehouse=str(work / "warehouse"), conf=conf,
        orders=orders, new=new, mode=mode,
    )  # fmt: skip
    jars = ",".join(str(j) for j in sorted((ROOT / ".cache" / "jars").glob("*.jar")))
    env = {**os.environ, "PYTHONPATH": f"{code / 'compiler'}:{code / 'runtime'}:{ROOT}",
           "SPARKFORGE_JARS": os.environ.get("SPARKFORGE_JARS", jars), "SPARK_LOCAL_IP": "127.0.0.1"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    wall = float(next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("WALL")))
    return {"wall_s": round(wall, 2), **_by_group(logs)}


def _by_group(logs: Path) -> dict[str, Any]:
    metrics = parse_event_log(logs)
    jobs: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    for job in metrics.job_list:
        group = (job.group or "-").removeprefix("sparkforge:")
        jobs[group] += 1
        seconds[group] += (job.completed_ms - job.submitted_ms) / 1000.0
    return {
        "span_s": round(metrics.span_s, 2), "jobs": metrics.jobs,
        "by_group": {g: {"jobs": jobs[g], "job_s": round(seconds[g], 2)} for g in sorted(jobs)},
    }  # fmt: skip


def measure(code: Path, orders: int, keep: Path | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="step-costs-") as tmp:
        work = Path(tmp) if keep is None else keep
        new = max(1, orders // 100)
        started = time.time()
        result = {
            "initial": _run(code, work, "initial", orders, 0, "initial"),
            "incremental": _run(code, work, "incremental", orders, new, "incremental"),
            "no_new_rows": _run(code, work, "incremental", orders, new, "no-new-rows"),
        }
        return {"orders": orders, "new_orders": new, "total_s": round(time.time() - started, 1), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose compiler/ and runtime/ to run")
    parser.add_argument("--keep", type=Path, help="an empty folder that keeps the runs' tables and event logs")
    args = parser.parse_args()
    print(json.dumps(measure(args.code, args.orders, args.keep), indent=2))


if __name__ == "__main__":
    main()
