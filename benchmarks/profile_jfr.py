"""Where the driver JVM spends its CPU: run implementations under Java Flight Recorder and bucket the
execution samples by component.

Input: implementations (a b c d z), the bronze input and a work directory. Output: per implementation
the share of JFR execution samples per component, split into Spark task threads and everything else
(driver: planning, code generation, Delta's commit protocol, the Hive metastore, ...):

    python -m benchmarks.profile_jfr --impls a c z --source csv:.work/bench/data/200000/base/csv
    -> a: task threads 31% (csv parsing 12%, columnar cache 6%, ...), driver 69% (codegen 21%, ...)

A sample is put in the first bucket that one of its frames, from the top of the stack down, belongs to.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks import launch
from benchmarks.compare import impl_args

BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("code generation (janino)", ("org.codehaus.",)),
    (
        "metastore (hive, derby)",
        ("org.apache.hadoop.hive.", "org.apache.derby.", "org.datanucleus."),
    ),
    ("delta", ("io.delta.", "org.apache.spark.sql.delta.")),
    (
        "csv parsing",
        (
            "com.univocity.",
            "org.apache.spark.sql.catalyst.csv.",
            "org.apache.spark.sql.execution.datasources.csv.",
        ),
    ),
    ("parquet", ("org.apache.parquet.", "org.apache.spark.sql.execution.datasources.parquet.")),
    ("spark cache (columnar)", ("org.apache.spark.sql.execution.columnar.",)),
    ("shuffle and storage", ("org.apache.spark.shuffle.", "org.apache.spark.storage.")),
    (
        "generated code / operators",
        ("org.apache.spark.sql.catalyst.expressions.Generated", "org.apache.spark.sql.execution."),
    ),
    ("query planning (catalyst)", ("org.apache.spark.sql.catalyst.",)),
    ("spark core", ("org.apache.spark.",)),
    ("class loading", ("java.lang.ClassLoader", "jdk.internal.loader.", "java.net.URLClassLoader")),
    ("py4j", ("py4j.",)),
)


def bucket_of(frames: list[str]) -> str:
    for frame in frames:
        for name, prefixes in BUCKETS:
            if frame.startswith(prefixes):
                return name
    return "other (jdk, scala, ...)"


def _seconds(iso: str) -> float:
    """JFR durations print as ISO-8601 (`PT0.0057S`, `PT1M2.5S`)."""
    text = iso.removeprefix("PT").removesuffix("S")
    minutes, _, seconds = text.rpartition("M")
    return float(minutes or 0) * 60 + float(seconds or 0)


def _events(jfr_file: Path, names: str, depth: int = 1) -> list[dict[str, Any]]:
    cmd = ["jfr", "print", "--json", "--stack-depth", str(depth), "--events", names, str(jfr_file)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return list(json.loads(proc.stdout)["recording"]["events"])


def jvm_time(jfr_file: Path) -> dict[str, float]:
    """Seconds the JIT compilers and the garbage collector worked (sum of event durations)."""
    out = {"jit_s": 0.0, "gc_s": 0.0}
    for event in _events(jfr_file, "jdk.Compilation,jdk.GarbageCollection"):
        key = "jit_s" if event["type"] == "jdk.Compilation" else "gc_s"
        out[key] += _seconds(event["values"].get("duration") or "PT0S")
    return out


def summarize_jfr(jfr_file: Path) -> dict[str, Any]:
    """Count execution samples per (thread kind, bucket) with the JDK's `jfr` tool."""
    proc = subprocess.run(
        [
            "jfr",
            "print",
            "--json",
            "--stack-depth",
            "96",
            "--events",
            "jdk.ExecutionSample",
            str(jfr_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    events = json.loads(proc.stdout)["recording"]["events"]
    counts: Counter[tuple[str, str]] = Counter()
    for event in events:
        values = event["values"]
        thread = (values.get("sampledThread") or {}).get("javaName") or ""
        kind = "task threads" if thread.startswith("Executor task launch") else "driver and other"
        frames = [
            f["method"]["type"]["name"] for f in (values.get("stackTrace") or {}).get("frames", [])
        ]
        counts[(kind, bucket_of(frames))] += 1
    total = sum(counts.values()) or 1
    out: dict[str, Any] = {"samples": total, **jvm_time(jfr_file)}
    for kind in ("task threads", "driver and other"):
        mine = {b: n for (k, b), n in counts.items() if k == kind}
        out[kind] = {
            "share": sum(mine.values()) / total,
            "buckets": {b: n / total for b, n in sorted(mine.items(), key=lambda kv: -kv[1])},
        }
    return out


def profile(bench: launch.Bench, impl: str, source: str, job: Path | None) -> dict[str, Any]:
    run_dir = bench.work / "runs" / f"jfr-{impl}"
    jfr = run_dir / "driver.jfr"
    options = f"-XX:StartFlightRecording=filename={jfr},settings=profile,dumponexit=true"
    traced = replace(bench, jvm_options=options, keep_runs=True)
    result = launch.run(traced, impl, f"jfr-{impl}", impl_args(impl, source), job=job)
    summary = summarize_jfr(jfr) if jfr.exists() else {}
    return {
        "wall_s": result.wall_s,
        "cpu_s": result.cpu_s,
        "returncode": result.returncode,
        **summary,
    }


def print_profile(impl: str, prof: dict[str, Any]) -> None:
    print(
        f"({impl}) wall {prof['wall_s']:.1f}s cpu {prof['cpu_s']:.1f}s samples {prof.get('samples')} "
        f"JIT {prof.get('jit_s', 0):.1f}s GC {prof.get('gc_s', 0):.1f}s"
    )
    for kind in ("task threads", "driver and other"):
        part = prof.get(kind)
        if part:
            top = ", ".join(f"{b} {share:.0%}" for b, share in list(part["buckets"].items())[:7])
            print(f"    {kind:<17} {part['share']:.0%}: {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impls", nargs="+", default=["a", "c"])
    parser.add_argument("--source", required=True)
    parser.add_argument("--job", type=Path, default=launch.ROOT / ".work" / "bench" / "job.py")
    parser.add_argument("--work", type=Path, default=launch.ROOT / ".work" / "profile")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    bench = launch.Bench(work=args.work)
    found = {impl: profile(bench, impl, args.source, args.job) for impl in args.impls}
    for impl, prof in found.items():
        print_profile(impl, prof)
    if args.out:
        args.out.write_text(json.dumps(found, indent=1) + "\n")


if __name__ == "__main__":
    main()
