"""The builder's presets as plain data: preset method -> the settings it sets.

Input: nothing. Output: `PRESETS`, read-only. `PipelineBuilder.for_production(...)` and the compiler
reading a `for_production(...)` call both take their values from this one table, so a preset cannot
mean one thing interactively and another in a compiled job.

    PRESETS["for_testing"]["max_parallel_workers"] -> 1
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["PRESETS"]

PRESETS: Mapping[str, Mapping[str, Any]] = MappingProxyType({
    "for_development": MappingProxyType({
        "min_bronze_rate": 80.0, "min_silver_rate": 85.0, "min_gold_rate": 90.0,
        "verbose": True, "enable_parallel_silver": True, "max_parallel_workers": 2}),
    "for_production": MappingProxyType({
        "min_bronze_rate": 95.0, "min_silver_rate": 98.0, "min_gold_rate": 99.0,
        "verbose": False, "enable_parallel_silver": True, "max_parallel_workers": 8}),
    "for_testing": MappingProxyType({
        "min_bronze_rate": 70.0, "min_silver_rate": 75.0, "min_gold_rate": 80.0,
        "verbose": True, "enable_parallel_silver": False, "max_parallel_workers": 1}),
})  # fmt: skip
