"""What a `PipelineBuilder` shows of what it has collected, read-only.

Input: the builder's settings and its steps so far. Output: the seed's config objects and the steps
by layer, recomputed on each access so they never go stale:

    builder.settings.min_silver_rate = 98.0, max_parallel_workers = 4
    -> builder.thresholds.silver == 98.0, builder.parallel_config.max_workers == 4
"""

from __future__ import annotations

from sparkforge.ir import Layer, Settings, Step
from sparkforge.models import ParallelConfig, ValidationThresholds

__all__ = ["BuilderViews"]


class BuilderViews:
    """The read-only properties of `PipelineBuilder`; the builder sets the two fields."""

    settings: Settings
    _steps: list[Step]

    @property
    def schema(self) -> str:
        return self.settings.schema

    @property
    def verbose(self) -> bool:
        return self.settings.verbose

    @property
    def thresholds(self) -> ValidationThresholds:
        s = self.settings
        return ValidationThresholds(s.min_bronze_rate, s.min_silver_rate, s.min_gold_rate)

    @property
    def parallel_config(self) -> ParallelConfig:
        s = self.settings
        return ParallelConfig(s.max_parallel_workers, s.enable_parallel_silver, s.unified_execution)

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(self._steps)

    def _layer(self, layer: Layer) -> dict[str, Step]:
        return {s.name: s for s in self._steps if s.layer is layer}

    @property
    def bronze_steps(self) -> dict[str, Step]:
        return self._layer(Layer.BRONZE)

    @property
    def silver_steps(self) -> dict[str, Step]:
        return self._layer(Layer.SILVER)

    @property
    def gold_steps(self) -> dict[str, Step]:
        return self._layer(Layer.GOLD)
