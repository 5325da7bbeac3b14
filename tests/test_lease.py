"""The pipeline lease (one run at a time) and idempotent appends, on real Spark and Delta."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sparkforge_runtime.errors import RuntimeStepError
from sparkforge_runtime.lease import LeaseHeld, claim, lease_root
from sparkforge_runtime.lease_table import Holder, lease_path, read_holder, swap
from sparkforge_runtime.tables_txn import txn_app_id, txn_options

HELD = re.compile(
    r"^pipeline 'ecommerce' is already running \(run (\S+), started "
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC on (\S+)\)$"
)


def _race(spark, root: str, pipeline: str) -> list[object]:  # type: ignore[no-untyped-def]
    """Two threads claim at the same moment; each returns its Lease or its exception."""
    results: list[object] = [None, None]
    gate = threading.Barrier(2)

    def attempt(i: int) -> None:
        gate.wait()
        try:
            results[i] = claim(spark, root, pipeline, f"run-{i}", ttl_seconds=60)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_concurrent_claims_exactly_one_wins(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path)
    for round_ in range(5):
        # Rounds 0 and 1 race on a missing row (two inserts); later rounds on a released row
        # (two updates of one file): both kinds of conflict.
        pipeline = "ecommerce" if round_ else "fresh"
        results = _race(spark, root, pipeline)
        won = [r for r in results if not isinstance(r, Exception)]
        held = [r for r in results if isinstance(r, LeaseHeld)]
        assert len(won) == 1 and len(held) == 1, results
        lease = won[0]
        assert held[0].holder.run_id == lease.holder.run_id  # type: ignore[union-attr]
        assert read_holder(spark, lease_path(root), pipeline).run_id == lease.holder.run_id  # type: ignore[union-attr]
        lease.release()  # type: ignore[union-attr]


def test_message_names_run_start_and_host(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path)
    with claim(spark, root, "ecommerce", "run-a", ttl_seconds=60) as first:
        with pytest.raises(LeaseHeld) as caught:
            claim(spark, root, "ecommerce", "run-b", ttl_seconds=60)
        found = HELD.match(str(caught.value))
        assert found, str(caught.value)
        assert found.groups() == ("run-a", socket.gethostname())
        assert first.holder.started_text in str(caught.value)
        assert first.abandoned is None
    # released by the with block: the next run claims at once, and nothing was abandoned
    again = claim(spark, root, "ecommerce", "run-c", ttl_seconds=60)
    assert again.abandoned is None
    assert again.generation > first.generation
    again.release()


def test_a_claim_is_one_small_write_and_keeps_one_row_per_pipeline(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path)
    claim(spark, root, "ecommerce", "run-a", ttl_seconds=60).release()
    claim(spark, root, "other", "run-x", ttl_seconds=60).release()
    path = lease_path(root)
    before = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").first()["version"]  # type: ignore[index]
    lease = claim(spark, root, "ecommerce", "run-b", ttl_seconds=60)
    history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").collect()
    taken = [row for row in history if row["version"] > before]
    assert [row["operation"] for row in taken] == ["WRITE"]  # no UPDATE or MERGE, and one commit
    assert read_holder(spark, path, "ecommerce") == lease.holder
    assert lease.holder.state == "running" and lease.abandoned is None and lease.holder.seq == 3
    live = spark.read.format("delta").load(path).collect()
    assert sorted((r["pipeline"], r["run_id"]) for r in live) == [("ecommerce", "run-b"), ("other", "run-x")]
    with pytest.raises(LeaseHeld):
        claim(spark, root, "ecommerce", "run-c", ttl_seconds=60)
    lease.release()


def test_expired_lease_is_taken_over_and_reported(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path)
    stale = claim(spark, root, "ecommerce", "killed-run", ttl_seconds=1)  # never released
    time.sleep(1.2)
    lease = claim(spark, root, "ecommerce", "next-run", ttl_seconds=60)
    assert lease.abandoned is not None
    assert lease.abandoned.run_id == "killed-run"
    assert lease.abandoned.started_ms == stale.holder.started_ms
    # the late process must not clobber the new holder
    stale.release()
    assert read_holder(spark, lease_path(root), "ecommerce").run_id == "next-run"  # type: ignore[union-attr]
    stale.renew()
    assert stale.lost
    with pytest.raises(RuntimeStepError, match="lost its lease"):
        stale.check()
    lease.release()


def test_a_claim_based_on_a_read_older_than_a_heartbeat_changes_nothing(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lease = claim(spark, str(tmp_path), "ecommerce", "alive", ttl_seconds=60)
    seen = lease.holder  # what a slow claimer read (say, just expired)
    lease.renew()  # the holder's heartbeat commits before the claimer's swap
    now = int(time.time() * 1000)
    intruder = Holder("ecommerce", "intruder", "running", "h", 1, now, now, now + 1000, now + 1)
    assert swap(spark, lease.path, seen, intruder) is None  # Delta skips it: its number is taken
    assert read_holder(spark, lease.path, "ecommerce") == lease.holder
    lease.release()


def test_lease_of_a_dead_process_on_this_host_is_stale(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path)
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid now names no process (barring reuse in this instant)
    now = int(time.time() * 1000)
    row = Holder("ecommerce", "crashed", "running", socket.gethostname(), gone.pid, now, now,
                 now + 3_600_000, now)  # fmt: skip
    written = swap(spark, lease_path(root), None, row)
    assert written is not None and written.seq == 1
    lease = claim(spark, root, "ecommerce", "next-run", ttl_seconds=60)
    assert lease.abandoned == written
    lease.release()


def test_heartbeat_pushes_the_expiry_forward(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lease = claim(spark, str(tmp_path), "ecommerce", "long-run", ttl_seconds=120)
    first = lease.holder
    lease.heartbeat(interval_seconds=0.5)
    deadline = time.time() + 120  # each renewal is a MERGE: seconds on a busy machine
    while lease.holder == first and time.time() < deadline:
        time.sleep(0.5)
    stored = read_holder(spark, lease.path, "ecommerce")
    assert stored is not None and stored.expires_ms > first.expires_ms
    assert (stored.run_id, stored.generation) == ("long-run", first.generation)
    with pytest.raises(LeaseHeld, match="run long-run"):
        claim(spark, str(tmp_path), "ecommerce", "second", ttl_seconds=120)
    lease.check()
    lease.release()  # stops the heartbeat first
    assert read_holder(spark, lease.path, "ecommerce").state == "released"  # type: ignore[union-attr]


def test_lease_root_is_the_schema_location(spark, schema: str) -> None:  # type: ignore[no-untyped-def]
    root = lease_root(spark, schema)
    assert root.endswith(f"/{schema}.db")
    assert lease_root(spark, "not_created_yet").endswith("/warehouse/not_created_yet.db")


def test_txn_options_make_a_retried_append_a_no_op(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "orders")
    df = spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string")
    assert txn_app_id("ecommerce", "clean_orders") == "sparkforge:ecommerce:clean_orders"

    def append(version: int) -> None:
        opts = txn_options("ecommerce", "clean_orders", version)
        df.write.format("delta").mode("append").options(**opts).save(path)

    append(1_700_000_000_000)
    append(1_700_000_000_000)  # the same run retries its write: Delta skips it
    assert spark.read.format("delta").load(path).count() == 2
    append(1_700_000_000_001)  # the next run appends
    assert spark.read.format("delta").load(path).count() == 4
    append(1_699_999_999_999)  # an older version is never applied again
    assert spark.read.format("delta").load(path).count() == 4
    with pytest.raises(ValueError):
        txn_options("ecommerce", "clean_orders", -1)


def test_txn_options_with_save_as_table(spark, schema: str) -> None:  # type: ignore[no-untyped-def]
    fqn = f"{schema}.clean_orders"
    df = spark.createDataFrame([(1,)], "id int")
    for version in (5, 5, 6):
        df.write.format("delta").mode("append").options(**txn_options("p", "s", version)).saveAsTable(fqn)
    assert spark.table(fqn).count() == 2


CLAIMER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sparkforge_runtime.lease import LeaseHeld, claim
    from sparkforge_runtime.session import build_session

    root, me, sync = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    spark = build_session("claimer-" + me, master="local[1]", enable_hive=False)
    spark.range(1).write.format("delta").mode("overwrite").save(str(sync / ("warm-" + me)))  # warm up
    (sync / ("ready-" + me)).touch()
    while len(list(sync.glob("ready-*"))) < 2:
        time.sleep(0.02)
    try:
        lease = claim(spark, root, "ecommerce", me, ttl_seconds=120)
    except LeaseHeld as exc:
        print("HELD", exc, flush=True)
        (sync / ("done-" + me)).touch()
        sys.exit(2)
    print("WON", flush=True)
    deadline = time.time() + 90  # hold the lease until the other process has tried
    while not list(sync.glob("done-*")) and time.time() < deadline:
        time.sleep(0.2)
    lease.release()
    """
)


@pytest.mark.slow
def test_two_processes_claim_at_once(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two drivers (two JVMs, each with its own in-memory catalog) claim one path at once."""
    root, sync = tmp_path / "schema.db", tmp_path / "sync"
    sync.mkdir()
    env = {**os.environ, "SPARKFORGE_DRIVER_MEMORY": "512m", "SPARK_LOCAL_IP": "127.0.0.1"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(root), f"run-{i}", str(sync)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        for i in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 2], outputs
    winner = next(f"run-{i}" for i, run in enumerate(runs) if run.returncode == 0)
    held = next(line for out in outputs for line in out.splitlines() if line.startswith("HELD"))
    found = HELD.match(held.removeprefix("HELD "))
    assert found and found.group(1) == winner, held
    assert read_holder(spark, lease_path(str(root)), "ecommerce").state == "released"  # type: ignore[union-attr]


def test_a_run_whose_lease_was_taken_over_writes_nothing() -> None:
    from types import SimpleNamespace

    from sparkforge_runtime.guards import Guards, check_write
    from sparkforge_runtime.lease import Lease, LeaseLost

    holder = Holder("ecommerce", "slow-run", "running", "h", 1, 0, 0, 1000, 5)
    lease = Lease(spark=None, path="unused", holder=holder, ttl_ms=600_000)  # type: ignore[arg-type]
    run = SimpleNamespace(info=SimpleNamespace(name="clean_orders", table="shop.clean_orders"),
                          state=SimpleNamespace(guards=Guards(lease=lease)))  # fmt: skip
    lease.lost = True  # what the heartbeat sets when another run holds the row now
    with pytest.raises(LeaseLost, match=r"run slow-run lost its lease .* another run took it over"):
        check_write(run, None, "append", evolve=True)  # type: ignore[arg-type]


def test_a_lease_table_written_before_rows_were_numbered_is_taken_over(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An upgrade: the lease table of an earlier version has no `seq` column; the next claim works."""
    path = lease_path(str(tmp_path))
    now = int(time.time() * 1000)
    old = [("ecommerce", "old-run", "released", "h", 1, now, now, now, now), ("other", "x", "running", "h", 1, now, now, now + 60_000, now)]
    columns = "pipeline string, run_id string, state string, host string, pid int, started_ms long, heartbeat_ms long, expires_ms long, generation long"
    spark.createDataFrame(old, columns).write.format("delta").save(path)
    lease = claim(spark, str(tmp_path), "ecommerce", "new-run", ttl_seconds=60)
    assert lease.holder.seq == 1 and lease.holder.generation > now and lease.abandoned is None
    with pytest.raises(LeaseHeld, match="run x"):
        claim(spark, str(tmp_path), "other", "y", ttl_seconds=60)
    lease.release()
    assert read_holder(spark, path, "ecommerce").state == "released"  # type: ignore[union-attr]
