"""What a feature's verbs use of a step's handle, `verbs.StepRun`, as a protocol.

The verbs of later features (incremental reads in watermark.py, incremental refresh in groups.py,
quarantine in quarantine.py) are mixed into `verbs.StepRun`; they type their handle with this
protocol instead of importing verbs, which imports them (so there is no import cycle).
"""

from __future__ import annotations

from typing import Any, Protocol

from pyspark.sql import DataFrame, SparkSession

from sparkforge_runtime.outcome import StepOutcome
from sparkforge_runtime.plan import StepInfo


class StepRunLike(Protocol):
    state: Any  # verbs.RunState
    info: StepInfo
    outcome: StepOutcome
    seen: dict[str, Any]

    @property
    def spark(self) -> SparkSession: ...

    @property
    def incremental(self) -> bool: ...

    def output(self, name: str) -> DataFrame: ...

    def newer_than(self, df: DataFrame, column: str, watermark: Any) -> DataFrame: ...

    def watermark(self, table: str, column: str) -> Any: ...

    def publish(self, checked: Any, *, covered: Any = None) -> None: ...
