"""The parameters of `PipelineBuilder`'s constructor, presets and methods, as the compiler binds them.

Input: nothing. Output: one `Signature` per method, in the runtime builder's positional order (a test
compares them with `inspect.signature(PipelineBuilder...)`), and the preset values of SPEC section
2 (kept in `sparkforge.presets`).

    SIGNATURES["with_bronze_rules"].params
    -> ("name", "rules", "incremental_col", "description", "schema")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sparkforge.presets import PRESETS as PRESETS


@dataclass(frozen=True, slots=True)
class Signature:
    params: tuple[str, ...]  # positional-or-keyword, in order
    required: frozenset[str] = frozenset()
    extra_keywords: tuple[str, ...] = ()  # accepted through **kwargs (the presets)

    @property
    def keywords(self) -> tuple[str, ...]:
        return (*self.params, *self.extra_keywords)


SETTINGS_PARAMS = (
    "spark", "schema", "min_bronze_rate", "min_silver_rate", "min_gold_rate",
    "enable_parallel_silver", "max_parallel_workers", "verbose", "table_format",
    "filter_columns_by_rules", "pipeline_name", "log_table", "quarantine",
)  # fmt: skip
CONSTRUCTOR = Signature(SETTINGS_PARAMS, frozenset({"spark", "schema"}))
PRESET = Signature(("spark", "schema"), frozenset({"spark", "schema"}), SETTINGS_PARAMS[2:])

STEP_METHODS: Mapping[str, Signature] = MappingProxyType({
    "with_bronze_rules": Signature(
        ("name", "rules", "incremental_col", "description", "schema", "quarantine"),
        frozenset({"name", "rules"})),
    "with_silver_rules": Signature(
        ("name", "table_name", "rules", "watermark_col", "description", "schema"),
        frozenset({"name", "table_name", "rules"})),
    "add_silver_transform": Signature(
        ("name", "transform", "rules", "table_name", "source_bronze", "watermark_col",
         "description", "depends_on", "schema", "source_silvers", "write_mode", "merge_keys",
         "filter_columns_by_rules", "quarantine", "schema_evolution"),
        frozenset({"name", "transform", "rules", "table_name"})),
    "add_gold_transform": Signature(
        ("name", "transform", "rules", "table_name", "source_silvers", "description", "schema",
         "write_mode", "merge_keys", "filter_columns_by_rules", "quarantine", "schema_evolution"),
        frozenset({"name", "transform", "rules", "table_name"})),
})  # fmt: skip

OTHER_METHODS: Mapping[str, Signature] = MappingProxyType({
    "enable_unified_execution": Signature(
        ("max_workers", "enable_parallel_execution", "enable_dependency_optimization")),
})  # fmt: skip

# Calls that end the builder chain: what follows runs the pipeline, which the compiler leaves alone.
FINAL_METHODS = frozenset({"to_pipeline", "build"})
METHODS = frozenset({*STEP_METHODS, *OTHER_METHODS, *FINAL_METHODS})
