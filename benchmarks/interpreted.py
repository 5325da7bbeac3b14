"""Implementation (b): the reference pipeline run by the interpreted runner in a fresh Python process.

Input: `--conf-file` (the JSON Spark settings every benchmark run shares), `--mode initial|incremental`,
`--source events=csv:PATH`, optionally `--no-parallel`. Output: the pipeline's Delta tables and run log,
and one JSON line on stdout (success, rows per step). Exit code 0 on success, 1 when a step failed.

    python benchmarks/interpreted.py --conf-file run/spark_conf.json --mode initial \
        --source events=csv:/data/base/csv

The session comes from `sparkforge_runtime.session.build_session`, as a user's notebook would get it.
After stopping Spark the script waits for the JVM to exit, so that the parent's `os.wait4` sees the
JVM's peak memory as part of this run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def stop_and_wait(spark: object) -> None:
    """Stop Spark, then close the gateway's stdin (the JVM exits on EOF) and wait for it."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None)
    spark.stop()  # type: ignore[attr-defined]
    if proc is None:
        return
    if gateway is not None:
        gateway.shutdown()
    if proc.stdin is not None:
        proc.stdin.close()
    proc.wait(timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conf-file", type=Path, required=True)
    parser.add_argument("--mode", choices=("initial", "incremental"), default="initial")
    parser.add_argument("--source", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--no-parallel", action="store_true")
    args = parser.parse_args()
    conf = json.loads(args.conf_file.read_text())

    from sparkforge_runtime.session import build_session

    from benchmarks import reference_pipeline as ref

    spark = build_session(
        "bench-interpreted", master=conf.pop("spark.master", None), extra_conf=conf
    )
    if args.no_parallel:
        ref.PARALLEL = False
    sources = dict(item.split("=", 1) for item in args.source)
    runner = ref.build(spark).to_pipeline()
    run = runner.initial_load if args.mode == "initial" else runner.run_incremental
    result = run(bronze_sources=sources)
    rows = {name: r.rows_written for name, r in result.step_results.items()}
    summary = {"success": result.success, "error": result.error_message, "rows": rows}
    print(json.dumps({**summary, "run_s": result.duration_seconds}), flush=True)
    stop_and_wait(spark)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
