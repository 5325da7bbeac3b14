"""Scenarios of the compiled job beyond the side-by-side comparison.

Input: a `Bench`, the compiled job and the generated data. Output: plain dicts for the report.

- `parallel_vs_sequential`: the job with and without `--no-parallel`, alternating, fresh directories;
  ratios parallel/sequential taken pair by pair.
- `incremental_chain`: in one run directory: an initial load of the base batch, then the 1% increment
  lands and an incremental run picks it up, then an incremental run with no new rows; the log table
  is read back to check what each run logged (the last must log zeros for the silver steps).

    incremental_chain(bench, job, data_root, "parquet")
    -> {"initial": {...}, "incremental": {...}, "no_new_rows": {...}, "ratio_wall": 0.41, ...}
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import launch
from benchmarks.compare import impl_args, record
from benchmarks.data import data_files

SILVERS = ("clean_events", "user_sessions", "purchases_enriched")


def parallel_vs_sequential(
    bench: launch.Bench, job: Path, source: str, rounds: int
) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    for round_no in range(rounds):
        order = ("parallel", "sequential") if round_no % 2 == 0 else ("sequential", "parallel")
        for variant in order:
            extra = ["--no-parallel"] if variant == "sequential" else []
            label = f"par-{variant}-{round_no}"
            result = launch.run(bench, "a", label, impl_args("a", source) + extra, job=job)
            rec = record(result, round_no, keep_jobs=False)
            records.append({**rec, "variant": variant})
            print(f"  {label:<28} exit {result.returncode}  {result.wall_s:7.1f}s", flush=True)
            launch.cleanup(bench, result)
    ok = [r for r in records if r["returncode"] == 0]
    pairs: dict[str, list[float]] = {"wall_s": [], "span_s": []}
    for round_no in range(rounds):
        this = {r["variant"]: r for r in ok if r["round"] == round_no}
        if len(this) == 2:
            par, seq = this["parallel"], this["sequential"]
            pairs["wall_s"].append(par["wall_s"] / seq["wall_s"])
            span_seq = seq["metrics"].get("span_s") or 0.0
            if span_seq:
                pairs["span_s"].append(par["metrics"].get("span_s", 0.0) / span_seq)
    return {
        "records": records,
        "ratio_wall": statistics.median(pairs["wall_s"]) if pairs["wall_s"] else None,
        "ratio_span": statistics.median(pairs["span_s"]) if pairs["span_s"] else None,
        "pairs": pairs,
        "median_wall": {
            v: statistics.median([r["wall_s"] for r in ok if r["variant"] == v] or [0.0])
            for v in ("parallel", "sequential")
        },
    }


def _link(files: list[Path], into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for f in files:
        target = into / f.name
        if not target.exists():
            os.link(f, target)


def read_log(bench: launch.Bench, run_dir: Path) -> list[dict[str, Any]]:
    """The rows of `bench.pipeline_logs` in `run_dir`'s metastore."""
    conf_file = run_dir / "read_log_conf.json"
    conf_file.write_text(json.dumps(launch.spark_conf(bench, run_dir)))
    script = launch.ROOT / "benchmarks" / "read_log.py"
    proc = subprocess.run(
        [bench.python, str(script), "--conf-file", str(conf_file)],
        capture_output=True,
        text=True,
        env=launch.child_env(bench),
        timeout=bench.timeout_s,
        check=True,
    )
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _runs_from_log(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per run_id, in order: duration from the log and rows per step."""
    runs: dict[str, dict[str, Any]] = {}
    for row in rows:
        run = runs.setdefault(row["run_id"], {"started": row["run_started_at"], "steps": {}})
        run["ended"] = row["run_ended_at"]
        run["steps"][row["step_name"]] = {
            k: row[k] for k in ("status", "input_rows", "valid_rows", "rows_written")
        }
    ordered = sorted(runs.values(), key=lambda r: r["started"])
    for run in ordered:
        started = datetime.fromisoformat(run["started"])
        run["log_s"] = (datetime.fromisoformat(run["ended"]) - started).total_seconds()
    return ordered


def incremental_chain(bench: launch.Bench, job: Path, data_root: Path, fmt: str) -> dict[str, Any]:
    run_dir = bench.work / "runs" / f"incremental-{fmt}"
    shutil.rmtree(run_dir, ignore_errors=True)
    src = run_dir / "src"
    _link(data_files(data_root, "base", fmt), src)
    results: dict[str, Any] = {}
    for name, mode in (
        ("initial", "initial"),
        ("incremental", "incremental"),
        ("no_new_rows", "incremental"),
    ):
        if name == "incremental":
            _link(data_files(data_root, "increment", fmt), src)
        args = impl_args("a", f"{fmt}:{src}", mode=mode)
        result = launch.run(bench, "a", f"incr-{fmt}-{name}", args, job=job, run_dir=run_dir)
        results[name] = record(result, 0, keep_jobs=False)
        print(
            f"  incremental {fmt} {name:<12} exit {result.returncode}  {result.wall_s:7.1f}s",
            flush=True,
        )
    log_runs = _runs_from_log(read_log(bench, run_dir))
    for name, run in zip(("initial", "incremental", "no_new_rows"), log_runs, strict=False):
        results[name]["log"] = run
    results.update(_incremental_checks(results))
    if not bench.keep_runs:
        shutil.rmtree(run_dir, ignore_errors=True)
    return results


def _incremental_checks(results: dict[str, Any]) -> dict[str, Any]:
    init, inc, none = results["initial"], results["incremental"], results["no_new_rows"]
    out: dict[str, Any] = {
        "ratio_wall": inc["wall_s"] / init["wall_s"],
        "ratio_cpu": inc["cpu_s"] / init["cpu_s"],
    }
    span_init = init["metrics"].get("span_s") or 0.0
    if span_init:
        out["ratio_span"] = inc["metrics"].get("span_s", 0.0) / span_init
    if "log" in init and "log" in inc and init["log"]["log_s"]:
        out["ratio_log"] = inc["log"]["log_s"] / init["log"]["log_s"]
    steps = none.get("log", {}).get("steps", {})
    silvers = {n: s for n, s in steps.items() if n in SILVERS}
    # Silver steps must see and write nothing. The bronze step may re-read a few tail rows: its
    # watermark is the oldest of its dependents' (one of them keeps only purchases), so rows newer
    # than that are read again and dropped by each silver's own watermark.
    # A silver step that sees no new rows is skipped (or, when it may not skip, writes nothing).
    out["no_new_rows_ok"] = (
        none["returncode"] == 0
        and len(silvers) == len(SILVERS)
        and all(s["input_rows"] == 0 and s["rows_written"] == 0 for s in silvers.values())
        and steps.get("events", {}).get("rows_written") == 0
        and all(s["status"] in ("completed", "skipped") for s in steps.values())
    )
    out["no_new_rows_skipped"] = sorted(n for n, s in steps.items() if s["status"] == "skipped")
    out["no_new_rows_span_s"] = none["metrics"].get("span_s")
    out["jobs"] = {k: results[k]["metrics"].get("jobs") for k in ("initial", "incremental", "no_new_rows")}
    out["no_new_rows_bronze_rows"] = steps.get("events", {}).get("input_rows")
    out["incremental_bronze_rows"] = (
        inc.get("log", {}).get("steps", {}).get("events", {}).get("input_rows")
    )
    return out
