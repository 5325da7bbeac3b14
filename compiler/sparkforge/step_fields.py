"""What a declared step becomes at run time, as plain values.

Input: an `ir.Step` and the pipeline's `ir.Settings`. Output: its table, the columns it keeps, and
the plain values `PipelineRunner.get_step_info` reports. What a step does at run time is decided in
`step_plan`, which builds on these.

    Step(name="clean", layer=SILVER, table_name="clean", schema=None, ...)
    -> {"name": "clean", "layer": "silver", "table": "shop.clean", "threshold": 98.0, ...}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sparkforge.ir import Layer, Settings, Step


def table_fqn(step: Step, settings: Settings) -> str:
    """Silver/gold: the table written; bronze: the table read when no input is bound."""
    schema = step.schema or settings.schema
    table = step.name if step.layer is Layer.BRONZE else (step.table_name or step.name)
    return f"{schema}.{table}" if schema else table


def incremental_watermark(step: Step, steps: Mapping[str, Step]) -> str | None:
    """The column an incremental run filters (bronze) or appends by (silver); None when not incremental.

    The engine's rule: a bronze step with `incremental_col` reads only newer rows; a silver step that
    writes its table and reads such a bronze step appends, by `watermark_col` or else the bronze's
    `incremental_col`; gold steps are recomputed in full.
    """
    if step.layer is Layer.BRONZE:
        return step.incremental_col
    if step.layer is not Layer.SILVER or step.existing or not step.source_bronze:
        return None
    source = steps.get(step.source_bronze)
    if source is None or source.layer is not Layer.BRONZE or not source.incremental_col:
        return None
    return step.watermark_col or source.incremental_col


def keep_columns(step: Step, settings: Settings) -> tuple[str, ...] | None:
    """Columns kept when rules filter columns: rule columns, then watermark and merge keys."""
    enabled = (
        step.filter_columns_by_rules
        if step.filter_columns_by_rules is not None
        else settings.filter_columns_by_rules
    )
    if not enabled or not step.rule_columns:
        return None
    extra = (step.watermark_col, step.incremental_col, *step.merge_keys)
    return tuple(dict.fromkeys((*step.rule_columns, *(c for c in extra if c))))


def step_fields(step: Step, settings: Settings) -> dict[str, Any]:
    """The step's settings as plain values, in a fixed order, without `rules` and `transform`."""
    return {
        "name": step.name,
        "layer": step.layer.value,
        "threshold": float(settings.threshold(step.layer)),
        "table": table_fqn(step, settings),
        "source_bronze": step.source_bronze,
        "source_silvers": tuple(step.source_silvers),
        "depends_on": tuple(step.depends_on),
        "incremental_col": step.incremental_col,
        "watermark_col": step.watermark_col,
        "write_mode": (step.write_mode.value if step.write_mode else "overwrite"),
        "merge_keys": tuple(step.merge_keys),
        "keep_columns": keep_columns(step, settings),
        "table_format": settings.table_format,
        "existing": step.existing,
    }


def log_table(settings: Settings) -> str:
    """The run-log table: the builder's `log_table`, else `<schema>.pipeline_logs`."""
    return settings.log_table or f"{settings.schema}.pipeline_logs"


def run_fields(settings: Settings) -> dict[str, Any]:
    """Run-wide options shared by the runner and compiled jobs (see `RunOptions`)."""
    return {
        "pipeline_name": settings.pipeline_name,
        "parallel": settings.enable_parallel_silver,
        "max_workers": settings.max_parallel_workers,
        "unified": settings.unified_execution,
        "log_table": log_table(settings),
    }
