"""The profile sections of docs/benchmarks.md: gate mechanisms and where the driver JVM's time goes.

Input: `benchmarks/results/gate_*.json` (from `benchmarks.gate_variants`) and
`benchmarks/results/jfr_*.json` (from `benchmarks.profile_jfr`). Output: markdown lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*out, *("| " + " | ".join(row) + " |" for row in rows), ""]


def gate_lines() -> list[str]:
    files = sorted(RESULTS.glob("gate_*.json"))
    if not files:
        return []
    lines = [
        "### Gate mechanisms, one step in a warm JVM (`benchmarks/gate_variants.py`)",
        "",
        "Median of 3 rounds after a warm-up round, seconds for the step's pass (parse, transform, "
        "validate, write), ratio to the same step written without validation; jobs include the "
        "reader's two. `cache_noop` is what the runtime does.",
        "",
    ]
    for path in files:
        found: dict[str, Any] = json.loads(path.read_text())
        variants = found["variants"]
        rows = [
            [name, f"{v['median_s']:.2f}", f"{v['vs_floor']:.2f}", str(v["jobs"])]
            for name, v in variants.items()
        ]
        lines += [f"Step `{found.get('step', '?')}`, input `{Path(found['source']).name}` "
                  f"({path.stem.rsplit('_', 1)[-1]}):", ""]  # fmt: skip
        lines += _table(["variant", "median s", "x floor", "jobs"], rows)
    return lines


def jfr_lines() -> list[str]:
    files = sorted(RESULTS.glob("jfr_*.json"))
    lines: list[str] = []
    for path in files:
        found: dict[str, Any] = json.loads(path.read_text())
        lines += [
            f"### Driver JVM profile, Java Flight Recorder ({path.stem.removeprefix('jfr_')}, "
            "`benchmarks/profile_jfr.py`)",
            "",
            "Share of execution samples by component (Spark task threads vs. everything else), "
            "and the time the JIT compilers and the garbage collector worked.",
            "",
        ]
        rows = []
        for impl, prof in found.items():
            for kind in ("task threads", "driver and other"):
                part = prof.get(kind) or {}
                top = ", ".join(
                    f"{b} {s:.0%}" for b, s in list(part.get("buckets", {}).items())[:5]
                )
                rows.append([impl, kind, f"{part.get('share', 0):.0%}", top])
            rows.append([impl, "JIT / GC", "", f"JIT {prof.get('jit_s', 0):.1f} s, GC "
                         f"{prof.get('gc_s', 0):.1f} s; process CPU {prof.get('cpu_s', 0):.1f} s"])  # fmt: skip
        lines += _table(["impl", "threads", "share", "top components"], rows)
    return lines


def profile_lines() -> list[str]:
    lines = gate_lines() + jfr_lines()
    return ["## Profiles", "", *lines] if lines else []
