"""This checkout's compiled job side by side with another checkout's, in one run, against the floor.

Input: the folder of another checkout (an earlier commit, `git archive <commit> | tar -x -C DIR`),
row counts, formats and rounds. Its packages are installed into `<work>/other-packages` (no
dependencies: it uses this checkout's pyspark and Delta), its reference pipeline is compiled by its
own compiler, and its job runs with its own runtime. Output: per row count and format, medians of
wall, CPU and Spark span and the jobs by kind of (a) this job, (o) the other job and (c) the floor,
and the ratios a/c, o/c and a/o taken pair by pair within each round; printed as Markdown and
saved to `benchmarks/results/side_by_side.json`:

    python -m benchmarks.side_by_side --other ../old --rows 1000000 --formats parquet csv --rounds 3

Rounds run a o c, a o c, ... in fresh processes, so that drifting load hits all three alike.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks import compare, launch
from benchmarks.run import _source, compile_job, ensure_data, machine

RATIOS = (("a", "c"), ("o", "c"), ("a", "o"))


def install_other(bench: launch.Bench, other: Path) -> Path:
    """The other checkout's packages, built into a folder of their own."""
    target = bench.work / "other-packages"
    subprocess.run(
        [bench.python, "-m", "pip", "install", "-q", "--no-deps", "--upgrade", "--target",
         str(target), str(other)],
        check=True,
    )  # fmt: skip
    return target


def compile_other(bench: launch.Bench, other: Path, packages: Path) -> Path:
    """The other checkout's reference pipeline compiled by its own compiler."""
    job = bench.work / "other-job" / "job.py"
    job.parent.mkdir(parents=True, exist_ok=True)
    code = "import sys; from sparkforge.compiler.cli import main; sys.exit(main())"
    subprocess.run(
        [bench.python, "-c", code, "compile", "benchmarks/reference_pipeline.py", "-o", str(job)],
        check=True,
        cwd=other,
        env=launch.child_env(bench, str(packages)),
    )
    return job


def three_way(
    bench: launch.Bench, jobs: dict[str, Path], packages: Path, source: str, rounds: int, tag: str
) -> list[dict[str, Any]]:
    records = []
    for round_no in range(rounds):
        for impl in ("a", "o", "c"):
            label = f"{tag}-{impl}-{round_no}"
            args = compare.impl_args("c" if impl == "c" else "a", source)
            path = str(packages) if impl == "o" else None
            result = launch.run(
                bench, "c" if impl == "c" else "a", label, args, job=jobs.get(impl), pythonpath=path
            )
            records.append({**compare.record(result, round_no, keep_jobs=False), "impl": impl})
            jobs_run = records[-1]["metrics"].get("jobs", "?")
            print(f"  {label:<26} exit {result.returncode}  {result.wall_s:7.1f}s  jobs {jobs_run}",
                  flush=True)  # fmt: skip
            launch.cleanup(bench, result)
    return records


def ratios(records: list[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    by_round: dict[int, dict[str, float]] = {}
    for rec in records:
        if rec["returncode"] == 0:
            value = rec[key] if key in rec else rec["metrics"].get(key, 0.0)
            by_round.setdefault(rec["round"], {})[rec["impl"]] = value
    out = {}
    for x, y in RATIOS:
        pairs = sorted(r[x] / r[y] for r in by_round.values() if x in r and y in r and r[y] > 0)
        if pairs:
            out[f"{x}/{y}"] = {"median": compare._median(pairs), "min": pairs[0], "max": pairs[-1]}
    return out


def markdown(result: dict[str, Any]) -> str:
    lines = []
    for part in result["parts"]:
        lines += [f"\n#### {part['rows']:,} rows, {part['format']}, {part['rounds']} rounds\n",
                  "| job | wall s | CPU s | Spark span s | jobs | jobs by kind |", "|---|---|---|---|---|---|"]  # fmt: skip
        for impl, row in part["impls"].items():
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(row["jobs_by_category"].items()))
            lines.append(f"| ({impl}) | {row['wall_s']:.1f} | {row['cpu_s']:.1f} | "
                         f"{row['span_s']:.1f} | {row['jobs']} | {kinds} |")  # fmt: skip
        lines += ["", "| ratio | wall | CPU | Spark span |", "|---|---|---|---|"]
        for name in part["ratios"]["wall_s"]:
            cells = [part["ratios"][key].get(name) for key in ("wall_s", "cpu_s", "span_s")]
            lines.append(f"| {name} | " + " | ".join(
                f"{c['median']:.2f} ({c['min']:.2f}-{c['max']:.2f})" if c else "-" for c in cells
            ) + " |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--other", type=Path, required=True, help="the folder of another checkout")
    p.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--formats", nargs="+", choices=("csv", "parquet"), default=["parquet", "csv"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--work", type=Path, default=launch.ROOT / ".work" / "bench")
    args = p.parse_args(argv)
    bench = launch.Bench(work=args.work)
    packages = install_other(bench, args.other.resolve())
    jobs = {"a": compile_job(bench), "o": compile_other(bench, args.other.resolve(), packages)}
    result: dict[str, Any] = {"machine": machine(), "other": str(args.other), "parts": []}
    for rows in args.rows:
        root, _ = ensure_data(bench, rows)
        for fmt in args.formats:
            print(f"== {rows:,} rows, {fmt}: a o c x {args.rounds}", flush=True)
            records = three_way(bench, jobs, packages, _source(root, fmt), args.rounds, f"{rows}-{fmt}")
            impls = {i: compare._impl_summary(r) for i, r in compare._by_impl(records).items()}
            keys = ("wall_s", "cpu_s", "span_s")
            result["parts"].append({"rows": rows, "format": fmt, "rounds": args.rounds,
                                    "impls": impls, "ratios": {k: ratios(records, k) for k in keys},
                                    "records": records})  # fmt: skip
    out = launch.ROOT / "benchmarks" / "results" / "side_by_side.json"
    out.write_text(json.dumps(result, indent=1, default=str))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
