"""Every import path of the seed's API reference keeps working, whatever the package layout.

`SEED_IMPORTS` lists each `from ... import ...` of the seed's API_REFERENCE.md (plus the security
names docs/security.md shows); `sparkforge.__all__` must resolve name by name; and the modules that
became packages (`sparkforge.parallel`, `sparkforge.security`) keep exporting what they did.
"""

from __future__ import annotations

import importlib

import pytest
import sparkforge

SEED_IMPORTS: dict[str, tuple[str, ...]] = {
    "sparkforge": (
        "CacheConfig", "CacheStrategy", "DynamicParallelExecutor", "DynamicWorkerPool",
        "ExecutionTask", "LogWriter", "PIPELINE_LOG_SCHEMA", "PerformanceCache", "PipelineBuilder",
        "SecurityConfig", "SecurityManager", "TaskPriority", "create_execution_task",
        "get_performance_cache", "get_security_manager",
    ),
    "sparkforge.data_utils": ("create_sample_dataframe", "get_dataframe_stats", "validate_dataframe"),
    "sparkforge.exceptions": ("PipelineValidationError", "TableOperationError", "ValidationError"),
    "sparkforge.logger": ("PipelineLogger",),
    "sparkforge.models": (
        "ExecutionMode", "ParallelConfig", "StepStatus", "StepType", "ValidationThresholds",
        "WriteMode",
    ),
    "sparkforge.performance": (
        "format_duration", "monitor_performance", "now_dt", "performance_monitor",
        "time_operation", "time_write_operation",
    ),
    "sparkforge.performance_cache": ("CacheStrategy", "CacheConfig", "PerformanceCache"),
    "sparkforge.reporting": ("create_validation_dict", "create_write_dict"),
    "sparkforge.security": (
        "AccessLevel", "SecurityManager", "SecurityConfig", "SecurityError", "InputValidationError",
        "SQLInjectionError", "DEFAULT_ALLOWED_SQL_FUNCTIONS", "get_security_manager",
    ),
    "sparkforge.validation": (
        "and_all_rules", "apply_column_rules", "assess_data_quality", "get_dataframe_info",
        "safe_divide", "validate_dataframe_schema",
    ),
    "sparkforge.parallel": (
        "DynamicParallelExecutor", "DynamicWorkerPool", "ExecutionTask", "TaskPriority",
        "TaskStatus", "TaskResult", "TaskGraphError", "create_execution_task", "spark_task_hooks",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, names in SEED_IMPORTS.items() for n in names]
)
def test_seed_import_path_works(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is not None


@pytest.mark.parametrize("name", sorted(set(sparkforge.__all__) - {"__version__"}))
def test_every_top_level_export_resolves(name: str) -> None:
    value = getattr(sparkforge, name)
    assert value is not None
    assert getattr(importlib.import_module(sparkforge._EXPORTS[name]), name) is value


def test_top_level_and_subpackage_give_the_same_objects() -> None:
    from sparkforge.parallel import DynamicParallelExecutor
    from sparkforge.security import SecurityManager

    assert sparkforge.DynamicParallelExecutor is DynamicParallelExecutor
    assert sparkforge.SecurityManager is SecurityManager
