"""What data quality costs: the compiled reference job with and without a quarantine table on every
step, alternating in fresh processes.

Input: a `Bench`, the compiled job, a source (`parquet:PATH` or `csv:PATH`) and a number of rounds.
Output: per variant the median wall time, the Spark jobs by class (identical from run to run), and
for the quarantine variant the rows and bytes its quarantine tables hold:

    quarantine_cost(bench, job, "parquet:/data/base/parquet", rounds=2)
    -> {"ratio_wall": 1.03, "extra_jobs": {"quarantine": 4}, "quarantine_bytes": 1234567, ...}

Per-rule failure counts are always on (they ride in the observation that counts valid rows), so
their cost is in every figure of the side-by-side comparison; `tests/test_rule_counts.py` holds
that they add no Spark job.
"""

from __future__ import annotations

import re
import statistics
import subprocess
from pathlib import Path
from typing import Any

from benchmarks import launch
from benchmarks.compare import impl_args, record

PIPELINE = launch.ROOT / "benchmarks" / "reference_pipeline.py"


def compile_quarantine_job(bench: launch.Bench) -> Path:
    """A copy of the reference pipeline with `QUARANTINE = True`, compiled as a user compiles it."""
    source = re.sub(r"^QUARANTINE = False", "QUARANTINE = True", PIPELINE.read_text(), flags=re.M)
    folder = bench.work / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reference_pipeline.py").write_text(source)
    cli = launch.ROOT / ".venv" / "bin" / "sparkforge"
    job = folder / "job.py"
    subprocess.run(
        [str(cli), "compile", str(folder / "reference_pipeline.py"), "-o", str(job)], check=True
    )
    return job


def _quarantine_files(run_dir: Path) -> tuple[int, int]:
    """(data files, bytes) of every `*_quarantine` table in the run's warehouse."""
    files = [
        f for d in (run_dir / "warehouse").glob("**/*_quarantine") for f in d.glob("*.parquet")
    ]
    return len(files), sum(f.stat().st_size for f in files)


def quarantine_cost(bench: launch.Bench, job: Path, source: str, rounds: int) -> dict[str, Any]:
    variants = {"plain": job, "quarantine": compile_quarantine_job(bench)}
    records: list[dict[str, Any]] = []
    for round_no in range(rounds):
        order = list(variants) if round_no % 2 == 0 else list(reversed(variants))
        for variant in order:
            label = f"quality-{variant}-{round_no}"
            result = launch.run(bench, "a", label, impl_args("a", source), job=variants[variant])
            files, size = _quarantine_files(result.run_dir)
            records.append({**record(result, round_no, keep_jobs=False), "variant": variant,
                            "quarantine_files": files, "quarantine_bytes": size})  # fmt: skip
            print(f"  {label:<24} exit {result.returncode}  {result.wall_s:7.1f}s  "
                  f"jobs {records[-1]['metrics'].get('jobs', '?')}", flush=True)  # fmt: skip
            launch.cleanup(bench, result)
    return {"records": records, **_summary(records)}


def _summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in records if r["returncode"] == 0]
    by = {v: [r for r in ok if r["variant"] == v] for v in ("plain", "quarantine")}
    if not by["plain"] or not by["quarantine"]:
        return {}
    plain, quarantine = by["plain"][0]["metrics"], by["quarantine"][0]["metrics"]
    classes = set(plain["jobs_by_category"]) | set(quarantine["jobs_by_category"])
    extra = {
        c: quarantine["jobs_by_category"].get(c, 0) - plain["jobs_by_category"].get(c, 0)
        for c in classes
    }
    ratios = [
        q["wall_s"] / p["wall_s"] for p, q in zip(by["plain"], by["quarantine"], strict=False)
    ]
    return {
        "median_wall": {v: statistics.median(r["wall_s"] for r in rs) for v, rs in by.items()},
        "ratio_wall": statistics.median(ratios),
        "jobs": {"plain": plain["jobs"], "quarantine": quarantine["jobs"]},
        "extra_jobs": {c: n for c, n in sorted(extra.items()) if n},
        "extra_input_bytes": quarantine["input_bytes"] - plain["input_bytes"],
        "quarantine_files": by["quarantine"][0]["quarantine_files"],
        "quarantine_bytes": by["quarantine"][0]["quarantine_bytes"],
    }
