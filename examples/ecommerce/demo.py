"""The main job: generate e-commerce data, run an initial load, an incremental run over new orders,
and an incremental run with nothing new.

    python examples/ecommerce/demo.py [--orders 200000] [--engine interpreted|compiled]

`compiled` compiles pipeline.py into .work/demo/job.py and runs it with `spark-submit`; `interpreted`
runs the same pipeline in-process through `PipelineRunner`. Tables live in .work/demo (a Derby
metastore and a warehouse), so they can be queried afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402
import pipeline  # noqa: E402
from sparkforge_runtime.quality import data_quality_report  # noqa: E402
from sparkforge_runtime.session import DELTA_CONF, DELTA_PACKAGE, ENGINE_CONF, build_session  # noqa: E402

WORK = ROOT / ".work" / "demo"


def generate(spark, orders: int, batch: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    raw = WORK / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    data.customers(spark, 1000).write.parquet(str(raw / "customers"))
    data.orders(spark, orders).write.parquet(str(raw / "orders"))
    return {"orders": str(raw / "orders"), "customers": str(raw / "customers"), "batch": str(batch)}


def append_batch(spark, orders: int, batch: int) -> None:  # type: ignore[no-untyped-def]
    data.orders(spark, batch, first_id=orders).write.mode("append").parquet(str(WORK / "raw" / "orders"))


def summary(spark, schema: str) -> None:  # type: ignore[no-untyped-def]
    print("\nRun log (each step of each run; `note` says why a step skipped or how gold was refreshed):")
    spark.sql(
        f"SELECT run_mode, step_name, status, input_rows, round(validation_rate, 2) AS valid_pct, "
        f"rows_written, round(duration_secs, 2) AS secs, note FROM {schema}.pipeline_logs "
        f"ORDER BY run_started_at, stage_index, step_name"
    ).show(50, truncate=False)
    runs(spark, schema)
    for table in ("clean_orders", "customer_orders", "daily_revenue", "customer_lifetime_value"):
        print(f"{schema}.{table}: {spark.table(f'{schema}.{table}').count():,} rows")
    quality(spark, schema)


def runs(spark, schema: str) -> None:  # type: ignore[no-untyped-def]
    """Each run's own time (first step started to last step ended, from the run log: process start
    and Spark's start-up excluded), against the initial load's."""
    rows = spark.sql(
        f"SELECT run_id, min(run_mode) AS mode, min(start_time) AS began, max(end_time) AS ended, "
        f"sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS skipped, "
        f"sum(coalesce(groups_refreshed, 0)) AS groups, sum(input_rows) AS rows_in "
        f"FROM {schema}.pipeline_logs GROUP BY run_id ORDER BY began"
    ).collect()
    print("\nRuns (steps' time, first start to last end):")
    initial = None
    for r in rows:
        secs = (r["ended"] - r["began"]).total_seconds()
        initial = initial or secs
        print(f"  {r['mode']:<12} {secs:6.1f} s  ({secs / initial:4.2f}x the initial load)  "
              f"{r['skipped']} step(s) skipped, {r['groups']} gold group(s) refreshed")


def quality(spark, schema: str) -> None:  # type: ignore[no-untyped-def]
    """The top failing rules of the two runs, and the orders step's quarantined rows."""
    report = data_quality_report(spark, f"{schema}.pipeline_logs", runs=2)
    print("\nTop failing rules (initial + incremental runs):")
    for r in report.rules[:5]:
        print(f"  {r.step:<10} {r.rule:<58} {r.failed_rows:>7,} rows  {r.rate:6.3f}%  ({r.action})")
    table = f"{schema}.orders_quarantine"
    print(f"\n{table}: {spark.table(table).count():,} rows, e.g.:")
    spark.table(table).select("order_id", "customer_id", "quantity", "status", "_failed_rules").show(
        5, truncate=False
    )


def run_interpreted(spark, paths: dict[str, str], orders: int, batch: int) -> None:  # type: ignore[no-untyped-def]
    runner = pipeline.build(spark).to_pipeline()

    def sources() -> dict[str, object]:
        return {n: spark.read.parquet(paths[n]) for n in ("orders", "customers")}

    print("\n== initial load ==")
    result = runner.initial_load(bronze_sources=sources())
    assert result.success, result.error_message
    append_batch(spark, orders, batch)
    print(f"\n== incremental run ({batch:,} new orders) ==")
    result = runner.run_incremental(bronze_sources=sources())
    assert result.success, result.error_message
    print("\n== incremental run (no new orders) ==")
    result = runner.run_incremental(bronze_sources=sources())
    assert result.success, result.error_message


def run_compiled(orders: int, batch: int) -> None:
    """Compile, then run the job twice with spark-submit; data is made in separate processes so that
    only one JVM at a time opens the embedded metastore."""
    job = WORK / "job.py"
    subprocess.run(
        [sys.executable, "-m", "sparkforge.compiler.cli", "compile", str(HERE / "pipeline.py"),
         "-o", str(job)],
        check=True,
    )
    paths = {"orders": str(WORK / "raw" / "orders"), "customers": str(WORK / "raw" / "customers")}
    _python("--generate", str(orders))
    runs = (("initial", False, ""), ("incremental", True, f" ({batch:,} new orders)"),
            ("incremental", False, " (no new orders)"))  # fmt: skip
    for mode, append, label in runs:
        if append:
            _python("--append", str(orders), str(batch))
        print(f"\n== spark-submit {job.name} --mode {mode}{label} ==", flush=True)
        started = time.time()
        subprocess.run(_submit(job, mode, paths), check=True, env=_env())
        print(f"(process: {time.time() - started:.1f} s, JVM start-up included)", flush=True)


def _python(*args: str) -> None:
    subprocess.run([sys.executable, __file__, *args], check=True, env=_env())


def _submit(job: Path, mode: str, paths: dict[str, str]) -> list[str]:
    confs = {**DELTA_CONF, **ENGINE_CONF,
             "spark.sql.warehouse.dir": str(WORK / "warehouse"),
             "spark.hadoop.javax.jdo.option.ConnectionURL":
                 f"jdbc:derby:;databaseName={WORK / 'metastore_db'};create=true",
             "spark.driver.extraJavaOptions": f"-Dderby.system.home={WORK}",
             "spark.sql.catalogImplementation": "hive",
             "spark.ui.enabled": "false",
             "spark.log.level": "WARN",
             "spark.sql.shuffle.partitions": "8",
             # small Delta logs: reconstruct table state in 2 tasks instead of 50
             "spark.databricks.delta.snapshotPartitions": "2"}
    jars = os.environ.get("SPARKFORGE_JARS", "")
    cmd = [str(Path(sys.executable).parent / "spark-submit"), "--master", "local[*]",
           *(["--jars", jars] if jars else ["--packages", DELTA_PACKAGE])]
    for key, value in confs.items():
        cmd += ["--conf", f"{key}={value}"]
    return [*cmd, str(job), "--mode", mode,
            "--source", f"orders=parquet:{paths['orders']}",
            "--source", f"customers=parquet:{paths['customers']}"]


def _env() -> dict[str, str]:
    return {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--engine", choices=("interpreted", "compiled"), default="compiled")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--append", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate is not None or args.append is not None:
        spark = build_session("sparkforge-demo-data", enable_hive=False)
        if args.generate is not None:
            generate(spark, args.generate, 0)
        else:
            append_batch(spark, *args.append)
        return 0
    started = time.time()
    shutil.rmtree(WORK, ignore_errors=True)
    if args.engine == "compiled":
        run_compiled(args.orders, args.batch)
        spark = build_session("sparkforge-demo", warehouse_dir=WORK)
    else:
        spark = build_session("sparkforge-demo", warehouse_dir=WORK)
        paths = generate(spark, args.orders, args.batch)
        run_interpreted(spark, paths, args.orders, args.batch)
    summary(spark, pipeline.SCHEMA)
    print(f"\ndemo finished in {time.time() - started:.1f}s; tables and log under {WORK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
