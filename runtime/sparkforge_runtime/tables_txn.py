"""Idempotent appends: Delta writer options that make a retried write of the same run a no-op.

Input: the pipeline, the step and the run's version. Output: the options `txnAppId` and
`txnVersion` for `DataFrameWriter.options(...)`:

    df.write.format("delta").mode("append").options(**txn_options("shop", "clean_orders", 7))

Delta records the pair in the commit and skips any later write to the same table with the same
app id and a version that is not greater than the one recorded. The version must therefore grow
from run to run and never repeat: use `Lease.generation`, which every claim sets to
`max(claim time in ms, previous generation + 1)` inside the lease's conflict-checked claim. It is
strictly increasing across the runs of one pipeline even when hosts' clocks disagree (a run's
start time alone is not: a host whose clock is behind would have its appends skipped), and it
stays ahead of old versions if the lease table is ever recreated, as long as clocks move forward.
A write retried within the run (same version) is skipped by Delta itself.

Only Delta appends and overwrites honour these options; a MERGE does not.
"""

from __future__ import annotations

APP_ID_PREFIX = "sparkforge"


def txn_app_id(pipeline: str, step: str) -> str:
    """`sparkforge:<pipeline>:<step>`: one idempotency key per step of a pipeline."""
    return f"{APP_ID_PREFIX}:{pipeline}:{step}"


def txn_options(pipeline: str, step: str, version: int | None) -> dict[str, str]:
    """The writer options that make this step's write of run `version` happen at most once; none
    when the run holds no lease (`version` None)."""
    if version is None:
        return {}
    if version < 0:
        raise ValueError(f"txnVersion must be >= 0, got {version}")
    return {"txnAppId": txn_app_id(pipeline, step), "txnVersion": str(version)}
