"""OpenLineage run events for each step: START, then COMPLETE, FAIL or ABORT (cancelled).

Input: what the scheduler tells its listeners (the run and each step starting and finishing) and the
steps' outcomes. Output: events sent through the official `openlineage-python` client, whose
transport comes from the standard OpenLineage configuration (`OPENLINEAGE_CONFIG`, an
`openlineage.yml`, or `OPENLINEAGE_URL` and the other variables: `OpenLineageClient()` reads them).
The client is an optional extra (`pip install 'sparkforge[lineage]'`), imported only when lineage is
on, so the runtime works without it.

Each step is a job `<pipeline>.<step>` whose run has the pipeline's run as parent (the pipeline run
gets START and COMPLETE/FAIL events too). Datasets: a table is `<namespace>/<schema.table>` with the
namespace of the warehouse (`spark.sql.warehouse.dir`); a source path is named by its path. A bronze
step reads its source; a silver or gold step reads what its upstream steps read or wrote and writes
its table. The step's validation goes with the rows it checked (a bronze step's input, a silver or
gold step's output): `dataQualityAssertions`, one assertion per rule (passed when no row failed it),
and `dataQualityMetrics` (rows checked).

    run_job(PIPELINE, plan, ["--lineage"])   # or OPENLINEAGE_URL=http://... in the environment

This module is the switch (the job's option, the environment) and loads the listener that builds
the events (`lineage_events`) only when lineage is on.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from sparkforge_runtime.errors import CannotRun

SETTINGS = ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG")  # set: lineage is on unless told otherwise
INSTALL = "pip install 'sparkforge[lineage]' (or openlineage-python)"


class LineageUnavailable(CannotRun, RuntimeError):
    """Lineage was asked for but the OpenLineage client is not installed."""


def wanted(flag: bool | None) -> bool:
    """On when asked for (`True`), off when refused (`False`); by default when the environment
    configures OpenLineage (`OPENLINEAGE_URL` or `OPENLINEAGE_CONFIG`)."""
    if flag is not None:
        return flag
    return any(os.environ.get(name) for name in SETTINGS)


def listeners(flag: bool | None, *, client: Any = None) -> tuple[Any, ...]:
    """The scheduler listeners for `RunOptions.listeners`: one `LineageListener` when lineage is
    wanted. Asked for explicitly without the client installed: `LineageUnavailable`; on by default
    from the environment without it: nothing, with a warning."""
    if not wanted(flag):
        return ()
    try:
        from sparkforge_runtime.lineage_events import LineageListener

        return (LineageListener(client),)
    except ImportError as exc:
        if flag:
            raise LineageUnavailable(f"--lineage needs the OpenLineage client: {INSTALL}") from exc
        import logging

        logging.getLogger("sparkforge").warning("OpenLineage is configured but its client is missing: %s", INSTALL)
        return ()


def add_options(add: Any) -> None:
    """The job's `--lineage` option (`add` is `ArgumentParser.add_argument`)."""
    add("--lineage", action=argparse.BooleanOptionalAction, default=None,
        help="emit OpenLineage events per step (default: on when OPENLINEAGE_URL or "
        "OPENLINEAGE_CONFIG is set; needs openlineage-python)")  # fmt: skip


__all__ = ["LineageUnavailable", "add_options", "listeners", "wanted"]
