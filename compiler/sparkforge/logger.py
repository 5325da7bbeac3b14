"""PipelineLogger: messages about pipeline operations, plus the run-log table when one is named.

Input: messages and results. Output: records on the `sparkforge` Python logger, and rows appended
through `LogWriter` when `table_name` is given.
"""

from __future__ import annotations

import logging
from typing import Any

from pyspark.sql import SparkSession

from sparkforge.log_writer import LogWriter
from sparkforge.models import ExecutionResult
from sparkforge.performance import format_duration


class PipelineLogger:
    def __init__(
        self,
        spark: SparkSession | None = None,
        table_name: str | None = None,
        *,
        name: str = "sparkforge",
        level: int = logging.INFO,
    ) -> None:
        self.logger = logging.getLogger(name)
        self.logger.setLevel(level)
        self.writer = LogWriter(spark, table_name) if spark is not None and table_name else None

    def info(self, message: str, **fields: Any) -> None:
        self.logger.info(self._fmt(message, fields))

    def warning(self, message: str, **fields: Any) -> None:
        self.logger.warning(self._fmt(message, fields))

    def error(self, message: str, **fields: Any) -> None:
        self.logger.error(self._fmt(message, fields))

    def step_start(self, layer: str, step: str) -> None:
        self.info(f"{layer} step {step!r} started")

    def step_complete(self, layer: str, step: str, duration_secs: float, rows: int) -> None:
        self.info(f"{layer} step {step!r} completed in {format_duration(duration_secs)}", rows=rows)

    def log_result(self, result: ExecutionResult, pipeline_name: str = "pipeline") -> int:
        """Log a summary line and, with a table, one row per step; returns rows written."""
        status = "succeeded" if result.success else f"failed: {result.error_message}"
        self.info(f"pipeline {pipeline_name!r} {status}", **result.totals)
        if self.writer is None:
            return 0
        return self.writer.log_pipeline_execution(result, pipeline_name=pipeline_name)

    @staticmethod
    def _fmt(message: str, fields: dict[str, Any]) -> str:
        if not fields:
            return message
        return message + " " + " ".join(f"{k}={v}" for k, v in sorted(fields.items()))
