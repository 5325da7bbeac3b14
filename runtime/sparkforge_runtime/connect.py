"""Classic Spark or Spark Connect: the few calls that differ, chosen at run time from the session.

Input: a `SparkSession`, either classic (a JVM in this process, reached through py4j) or a Spark
Connect client (`sc://HOST:PORT`, a server elsewhere). Output: the same effect on either: the jobs a
thread starts are labelled (a job group and a FAIR pool on classic, a session tag on Connect; tags,
like job groups, belong to the thread that sets them), Delta Lake is found on the driver or on the
server, and a step's rows are counted by `observe` (classic) or one aggregate (Connect). Starting
a Connect session and finding Delta on its server are in connect_remote, loaded only over Connect.

    set_job_group(spark, "sparkforge:clean_orders", "silver step clean_orders", pool="clean_orders")
    is_connect(spark)  ->  True
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pyspark.sql import Column, DataFrame, Observation, SparkSession

REMOTE_ENV = "SPARK_REMOTE"
TAG_PREFIX = "sparkforge:"
OBSERVATION_TIMEOUT = 120.0


def is_connect(spark: Any) -> bool:
    """True for a Spark Connect session (`pyspark.sql.connect.session.SparkSession`).

    Decided from the session's class, so that a classic session keeps its classic path even when
    a Connect session exists in the same process, and without importing the Connect client
    (which needs grpcio, pandas and pyarrow) where it is not installed.
    """
    return type(spark).__module__.startswith("pyspark.sql.connect")


def remote_url(option: str | None = None) -> str | None:
    """The Spark Connect URL to use: the `--remote` option, else `SPARK_REMOTE`, else None."""
    url = (option or os.environ.get(REMOTE_ENV, "")).strip()
    if not url:
        return None
    if not url.startswith("sc://"):
        raise ValueError(
            f"Spark Connect URL {url!r} must start with sc://, e.g. sc://127.0.0.1:15002 "
            f"(from --remote or {REMOTE_ENV})"
        )
    return url


def add_options(add: Any) -> None:
    """The job's `--remote` option (`add` is `ArgumentParser.add_argument`)."""
    add("--remote", metavar="sc://HOST:PORT",
        help="run on this Spark Connect server (default: $SPARK_REMOTE, else classic Spark)")  # fmt: skip


def connect_session(url: str, app_name: str, defaults: Mapping[str, str] | None = None,
                    conf: Mapping[str, str] | None = None) -> SparkSession:  # fmt: skip
    """A session on the Spark Connect server at `url` (`connect_remote.remote_session`)."""
    from sparkforge_runtime.connect_remote import remote_session

    return remote_session(url, app_name, defaults, conf)


def set_job_group(
    spark: SparkSession, group: str, description: str, *, pool: str | None = None,
    interrupt: bool = False,
) -> None:  # fmt: skip
    """Label the Spark jobs this thread starts from now on with `group` (and run them in FAIR
    pool `pool`). Over Connect the thread's tag replaces its other `sparkforge:` tags, as a job
    group replaces the previous one; the server chooses the pool there."""
    if is_connect(spark):
        for tag in list(spark.getTags()):
            if tag.startswith(TAG_PREFIX):
                spark.removeTag(tag)
        spark.addTag(as_tag(group))
        return
    sc = spark.sparkContext
    if pool is not None:
        sc.setLocalProperty("spark.scheduler.pool", pool)
    sc.setJobGroup(group, description, interrupt)


def in_job_group(spark: SparkSession, group: str, description: str, action: Callable[[], None]) -> None:
    """`action()` with this thread's Spark jobs labelled `group`: work handed to a pool's thread."""
    set_job_group(spark, group, description)
    action()


def clear_job_group(spark: SparkSession, *, keys: Sequence[str] = ("spark.scheduler.pool",)) -> None:
    """Forget this thread's label (a pooled thread runs another step next): the classic local
    properties `keys`, or every tag of the thread over Connect."""
    if is_connect(spark):
        spark.clearTags()
        return
    for key in keys:
        spark.sparkContext.setLocalProperty(key, None)  # type: ignore[arg-type]


def cancel_job_group(spark: SparkSession, group: str) -> None:
    """Cancel the running jobs labelled `group`, started by any thread."""
    if is_connect(spark):
        spark.interruptTag(as_tag(group))
    else:
        spark.sparkContext.cancelJobGroup(group)


def as_tag(group: str) -> str:
    """A job group name as a Connect tag: tags may not contain commas."""
    return group.replace(",", ";")


def measured(df: DataFrame, aggs: Sequence[Column], step: str, timeout: float = OBSERVATION_TIMEOUT) -> dict[str, Any]:
    """The aggregates of `df` as a dict, in the one job that also fills `df`'s cache when it is
    persisted: observed on a `noop` write (classic), or one aggregate over Connect, where the
    observed metrics of a `noop` write can reach the client empty when the server is busy (its
    listener has not delivered them yet when the command's response is sent)."""
    if is_connect(df.sparkSession):
        row = df.agg(*aggs).first()
        return row.asDict() if row is not None else {}
    observation = Observation(f"sparkforge_{step}_{uuid.uuid4().hex[:8]}")
    df.observe(observation, *aggs).write.format("noop").mode("overwrite").save()
    return observed(observation, step, timeout)


def observed(observation: Observation, step: str, timeout: float = OBSERVATION_TIMEOUT) -> dict[str, Any]:
    """`Observation.get` with a timeout: it can block forever when metrics never arrive."""
    box: dict[str, Any] = {}
    waiter = threading.Thread(target=lambda: box.update(observation.get), daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive() or not box:
        raise RuntimeError(
            f"step {step!r}: validation metrics did not arrive within {timeout:.0f}s; check that "
            "spark.sql.adaptive.optimizer.excludedRules includes AQEPropagateEmptyRelation"
        )
    return box
