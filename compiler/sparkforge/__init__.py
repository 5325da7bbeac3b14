"""sparkforge: medallion pipelines (Bronze -> Silver -> Gold) for PySpark and Delta Lake.

Declare a pipeline with `PipelineBuilder`, run it with `builder.to_pipeline()`, or compile it into a
standalone job with `sparkforge compile pipeline.py -o job.py`.

Public names are loaded on first use, so `import sparkforge` (and the compiler, which needs no Spark)
stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "PipelineBuilder": "sparkforge.builder",
    "rule": "sparkforge.rule_actions",
    "PipelineRunner": "sparkforge.runner",
    "StepExecutor": "sparkforge.runner",
    "LogWriter": "sparkforge.log_writer",
    "PIPELINE_LOG_SCHEMA": "sparkforge.log_writer",
    "PipelineLogger": "sparkforge.logger",
    "ValidationThresholds": "sparkforge.models",
    "ParallelConfig": "sparkforge.models",
    "ExecutionResult": "sparkforge.models",
    "UnifiedExecutionResult": "sparkforge.models",
    "StepExecutionResult": "sparkforge.models",
    "PipelineMetrics": "sparkforge.models",
    "StageStats": "sparkforge.models",
    "ValidationResult": "sparkforge.models",
    "StepType": "sparkforge.models",
    "StepStatus": "sparkforge.models",
    "ExecutionMode": "sparkforge.models",
    "WriteMode": "sparkforge.models",
    "SparkForgeError": "sparkforge.exceptions",
    "ValidationError": "sparkforge.exceptions",
    "PipelineValidationError": "sparkforge.exceptions",
    "StepError": "sparkforge.exceptions",
    "TableOperationError": "sparkforge.exceptions",
    "ConfigurationError": "sparkforge.exceptions",
    "InvalidRuleError": "sparkforge.exceptions",
    "ExecutionError": "sparkforge.exceptions",
    "SecurityError": "sparkforge.security",
    "InputValidationError": "sparkforge.security",
    "SQLInjectionError": "sparkforge.security",
    "SecurityManager": "sparkforge.security",
    "SecurityConfig": "sparkforge.security",
    "AccessLevel": "sparkforge.security",
    "get_security_manager": "sparkforge.security",
    "PerformanceCache": "sparkforge.performance_cache",
    "CacheConfig": "sparkforge.performance_cache",
    "CacheStrategy": "sparkforge.performance_cache",
    "get_performance_cache": "sparkforge.performance_cache",
    "DynamicParallelExecutor": "sparkforge.parallel",
    "DynamicWorkerPool": "sparkforge.parallel",
    "ExecutionTask": "sparkforge.parallel",
    "TaskPriority": "sparkforge.parallel",
    "create_execution_task": "sparkforge.parallel",
    "TaskStatus": "sparkforge.parallel",
    "TaskResult": "sparkforge.parallel",
    "TaskGraphError": "sparkforge.parallel",
    "spark_task_hooks": "sparkforge.parallel",
    "cached": "sparkforge.performance_cache",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sparkforge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
