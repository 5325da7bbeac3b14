"""Run the benchmark suite and write docs/benchmarks.md.

Input: command-line options (quick by default: 200k rows, CSV input, 3 interleaved rounds; `--full`:
1M and 5M rows, CSV and Parquet). Output: `benchmarks/results/<quick|full>.json` with every
measurement, then `docs/benchmarks.md` and `docs/benchmarks.png` rendered from all results files.

    python -m benchmarks.run                 # quick, ~10 minutes on 2 cores
    python -m benchmarks.run --full          # 1M and 5M rows
    python -m benchmarks.run --only compile  # one part: compare, parallel, incremental, quality, compile
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import compare, compile_time, data, launch, quality, report, scenarios

PARTS = ("compare", "parallel", "incremental", "quality", "compile")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=launch.ROOT
    ).stdout.strip()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory": f"{mem_kb / 2**20:.1f} GiB",
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "spark (pyspark)": metadata.version("pyspark"),
        "delta-spark": metadata.version("delta-spark"),
        "java": java[0] if java else "?",
        "git commit": commit,
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def compile_job(bench: launch.Bench) -> Path:
    """`sparkforge compile benchmarks/reference_pipeline.py -o <work>/job.py`, as a user runs it."""
    job = bench.work / "job.py"
    job.parent.mkdir(parents=True, exist_ok=True)
    cli = launch.ROOT / ".venv" / "bin" / "sparkforge"
    subprocess.run(
        [str(cli), "compile", "benchmarks/reference_pipeline.py", "-o", str(job)],
        check=True,
        cwd=launch.ROOT,
    )
    return job


def ensure_data(bench: launch.Bench, rows: int) -> tuple[Path, dict[str, Any]]:
    root = bench.work / "data" / str(rows)
    manifest = root / "manifest.json"
    if not manifest.exists() or not data.is_current(json.loads(manifest.read_text()), rows):
        print(f"generating {rows:,} rows into {root}", flush=True)
        cmd = [bench.python, "-m", "benchmarks.data", "--rows", str(rows), "--out", str(root)]
        subprocess.run(
            cmd,
            check=True,
            env=launch.child_env(bench),
            cwd=launch.ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return root, json.loads(manifest.read_text())


def _source(root: Path, fmt: str) -> str:
    return f"{fmt}:{root / 'base' / fmt}"


def run_suite(args: argparse.Namespace, bench: launch.Bench, kind: str) -> dict[str, Any]:
    started = time.time()
    res: dict[str, Any] = {"kind": kind, "machine": machine(), "comparisons": [], "incremental": {}}
    res["config"] = {
        "rows": ", ".join(f"{r:,}" for r in args.rows),
        "formats": ", ".join(args.formats),
        "rounds": args.rounds,
        "master": bench.master,
        "shuffle partitions": bench.shuffle_partitions,
        "driver memory": bench.driver_memory,
        "parallel_rows": args.parallel_rows,
    }
    parts = set(args.only or PARTS)
    job = compile_job(bench) if parts - {"compile"} else None
    if "compare" in parts and job is not None:
        for rows in args.rows:
            root, manifest = ensure_data(bench, rows)
            for fmt in args.formats:
                print(f"== {rows:,} rows, {fmt}: a b c d x {args.rounds}", flush=True)
                records = compare.four_way(
                    bench, job, _source(root, fmt), args.rounds, tag=f"{rows}-{fmt}"
                )
                res["comparisons"].append(
                    {
                        "rows": rows,
                        "format": fmt,
                        "rounds": args.rounds,
                        "input_bytes": manifest["bytes"][f"base/{fmt}"],
                        "records": records,
                        "summary": compare.summarize(records),
                    }
                )
    if "parallel" in parts and job is not None:
        root, _ = ensure_data(bench, args.parallel_rows)
        print(
            f"== parallel vs sequential, {args.parallel_rows:,} rows x {args.parallel_rounds}",
            flush=True,
        )
        res["parallel"] = scenarios.parallel_vs_sequential(
            bench, job, _source(root, args.formats[0]), args.parallel_rounds
        )
    if "incremental" in parts and job is not None:
        for rows in args.incremental_rows or args.rows[:1]:
            root, _ = ensure_data(bench, rows)
            for fmt in args.incremental_formats:
                print(f"== incremental chain, {rows:,} rows, {fmt}", flush=True)
                chain = scenarios.incremental_chain(bench, job, root, fmt)
                res["incremental"][f"{fmt}-{rows}" if len(args.rows) > 1 else fmt] = {
                    **chain,
                    "rows": rows,
                }
    if "quality" in parts and job is not None:
        rows = args.rows[0]
        root, _ = ensure_data(bench, rows)
        fmt = "parquet" if "parquet" in args.formats else args.formats[0]
        print(f"== quarantine on every step vs off, {rows:,} rows, {fmt} x {args.rounds}", flush=True)
        res["quality"] = {
            **quality.quarantine_cost(bench, job, _source(root, fmt), args.rounds),
            "rows": rows,
            "format": fmt,
        }
    if "compile" in parts:
        print("== compile-time curve and runtime import time", flush=True)
        res["compile"] = compile_time.compile_curve()
        res["imports"] = compile_time.import_cost()
    res["machine"]["load average at end (1/5/15 min)"] = " / ".join(
        f"{x:.2f}" for x in os.getloadavg()
    )
    res["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    res["duration_s"] = time.time() - started
    return res


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="1M and 5M rows, CSV and Parquet")
    p.add_argument("--rows", type=int, nargs="+", help="row counts (default 200000; full: 1M 5M)")
    p.add_argument("--formats", nargs="+", choices=("csv", "parquet"), help="bronze input formats")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds of a b c d")
    p.add_argument("--parallel-rows", type=int, default=200_000)
    p.add_argument("--parallel-rounds", type=int, help="default: 2 quick, --rounds full")
    p.add_argument("--incremental-rows", type=int, nargs="+")
    p.add_argument("--incremental-formats", nargs="+", choices=("csv", "parquet"))
    p.add_argument("--only", nargs="+", choices=PARTS)
    p.add_argument("--work", type=Path, default=launch.ROOT / ".work" / "bench")
    p.add_argument("--shuffle-partitions", type=int, default=4)
    p.add_argument("--driver-memory", default="4g")
    p.add_argument("--keep-runs", action="store_true", help="keep every run's tables and event log")
    p.add_argument("--no-save", action="store_true", help="print results, do not write the docs")
    args = p.parse_args(argv)
    args.rows = args.rows or ([1_000_000, 5_000_000] if args.full else [200_000])
    args.formats = args.formats or (["csv", "parquet"] if args.full else ["csv"])
    args.parallel_rounds = args.parallel_rounds or (args.rounds if args.full else 2)
    args.incremental_formats = args.incremental_formats or (
        ["parquet", "csv"] if args.full else ["parquet"]
    )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kind = "full" if args.full else "quick"
    bench = launch.Bench(
        work=args.work,
        shuffle_partitions=args.shuffle_partitions,
        driver_memory=args.driver_memory,
        keep_runs=args.keep_runs,
    )
    res = run_suite(args, bench, kind)
    if args.no_save:
        print(
            json.dumps({k: v for k, v in res.items() if k != "comparisons"}, indent=1, default=str)
        )
        return 0
    out = report.RESULTS / f"{kind}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, default=str) + "\n")
    print(f"results: {out}\nreport:  {report.write()}")
    for target, measured, ok in report.targets(res):
        print(f"  {'ok  ' if ok else 'MISS' if ok is not None else '    '}  {target}: {measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
