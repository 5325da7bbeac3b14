"""Frontend pass: read the builder's options: constructor or preset arguments, and `enable_unified_execution`.

Input: `Unit.builder`. Output: `Unit.pipeline`, an `ir.Pipeline` with `ir.Settings` and no steps yet.
Each option is checked exactly as `PipelineBuilder.__init__` checks it, with the builder's own
helpers: thresholds 0..100 (SF114), workers >= 1 (SF115), table format (SF116), schema and log table
names (SF205, SF206), other wrong values (SF113), plus the binding mistakes of `bind_arguments`.

    PipelineBuilder.for_production(spark=spark, schema="shop", max_parallel_workers=4)
    -> Settings(schema="shop", min_bronze_rate=95.0, ..., verbose=False, max_parallel_workers=4)
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from sparkforge import builder_checks as bc
from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.values import Env, Value, problems
from sparkforge.compiler.read.call_arguments import Argument, bind_arguments
from sparkforge.compiler.read.signatures import CONSTRUCTOR, OTHER_METHODS, PRESET, PRESETS
from sparkforge.compiler.read.unit import MethodCall, Unit, from_error
from sparkforge.exceptions import ConfigurationError
from sparkforge.ir import Pipeline, Settings, Span
from sparkforge.models import check_rate, check_workers
from sparkforge.quarantine_option import check_pipeline_quarantine

_TABLE_FORMATS = ("delta", "parquet")
_MISSING = object()  # a value that could not be resolved or failed its check (already reported)


def read_settings(unit: Unit) -> Unit:
    builder, main = unit.builder, unit.main
    if builder is None or main is None:
        return unit
    reader = _Reader(Resolver(unit.files), Env(main, builder.local))
    settings = reader.settings(reader.options(builder.construction))
    for call in builder.calls:
        if call.method == "enable_unified_execution":
            settings = dataclasses.replace(settings, **reader.unified(call))
    pipeline = Pipeline(
        settings=settings,
        source_file=unit.options.filename,
        source_hash=hashlib.sha256(unit.source.encode("utf-8")).hexdigest(),
        span=main.span(builder.construction.call),
    )
    return dataclasses.replace(unit.report(*reader.diagnostics), pipeline=pipeline)


class _Reader:
    def __init__(self, resolver: Resolver, env: Env) -> None:
        self.resolver, self.env = resolver, env
        self.diagnostics: list[Diagnostic] = []
        self.spans: dict[str, Span] = {}

    def _bind(self, call: MethodCall) -> dict[str, Any]:
        """The call's statically known arguments as plain values (`spark` is never needed)."""
        preset = call.method in PRESETS
        signature = PRESET if preset else OTHER_METHODS.get(call.method, CONSTRUCTOR)
        what = f"PipelineBuilder.{call.method}()" if call.method != "__init__" else "PipelineBuilder()"
        where = self.env.file.span(call.name_node, call.call)
        self.env = call.env(self.env.file, self.env.local)
        bound = bind_arguments(call.call, signature, what, self.resolver, self.env, where)
        self.diagnostics.extend(bound.diagnostics)
        values: dict[str, Any] = {}
        for name, arg in bound.args.items():
            value = self._plain(arg) if name != "spark" else _MISSING
            if value is not _MISSING:
                self.spans[name] = bound.spans[name]
                values[name] = value
        return values

    def _plain(self, arg: Argument) -> Any:
        try:
            value = arg if isinstance(arg, Value) else self.resolver.value(arg, self.env)
        except CompileError as err:
            self.diagnostics.extend(problems(err))
            return _MISSING
        return value.plain()

    def options(self, construction: MethodCall) -> dict[str, Any]:
        return {**PRESETS.get(construction.method, {}), **self._bind(construction)}

    def unified(self, call: MethodCall) -> dict[str, Any]:
        """The settings `enable_unified_execution(...)` changes (a bad max_workers: none of them)."""
        given = self._bind(call)
        workers = self._check("max_workers", given.get("max_workers", 4), "SF115",
                              functools.partial(check_workers, "max_workers"))  # fmt: skip
        if workers is _MISSING:
            return {}
        return {
            "max_parallel_workers": workers,
            "enable_parallel_silver": bool(given.get("enable_parallel_execution", True)),
            "unified_execution": bool(given.get("enable_dependency_optimization", True)),
        }

    def _check(self, name: str, value: Any, code: str, check: Callable[[Any], Any]) -> Any:
        """`check(value)`, or `_MISSING` after reporting the builder's error at the argument."""
        try:
            return check(value)
        except (ConfigurationError, ValueError) as err:
            self.diagnostics.append(from_error(code, err, self.spans[name]))
            return _MISSING

    def settings(self, values: Mapping[str, Any]) -> Settings:
        fields: dict[str, Any] = {"schema": self._schema(values)}
        for name, (code, check) in _CHECKS.items():
            if name in values:
                fields[name] = self._check(name, values[name], code, check)
        return Settings(**{k: v for k, v in fields.items() if v is not _MISSING})

    def _schema(self, values: Mapping[str, Any]) -> str:
        if "schema" not in values:  # missing or unresolvable: reported already
            return ""
        schema = values["schema"]
        if not isinstance(schema, str) or not schema:
            error = ConfigurationError(f"schema must be a schema name, got {schema!r}")
            self.diagnostics.append(from_error("SF113", error, self.spans["schema"]))
            return ""
        checked = self._check("schema", schema, "SF205", lambda v: bc.check_identifier("schema", v, None))
        return checked if isinstance(checked, str) else ""


def _table_format(value: Any) -> str:
    fmt = str(value).lower()
    if fmt not in _TABLE_FORMATS:
        raise ConfigurationError(f"table_format must be one of {_TABLE_FORMATS}, got {value!r}",
                                 suggestions=("use 'delta' (default)",))
    return fmt


def _pipeline_name(value: Any) -> str:
    if value is None:
        return "pipeline"
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"pipeline_name must be a non-empty string, got {value!r}")
    return value


def _log_table(value: Any) -> str | None:
    return None if value is None else bc.check_identifier("table", value, None)


# Option -> (diagnostic code, the check `PipelineBuilder.__init__` applies), in its order.
_CHECKS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "min_bronze_rate": ("SF114", functools.partial(check_rate, "min_bronze_rate")),
    "min_silver_rate": ("SF114", functools.partial(check_rate, "min_silver_rate")),
    "min_gold_rate": ("SF114", functools.partial(check_rate, "min_gold_rate")),
    "enable_parallel_silver": ("SF113", bool),
    "max_parallel_workers": ("SF115", functools.partial(check_workers, "max_parallel_workers")),
    "verbose": ("SF113", bool),
    "table_format": ("SF116", _table_format),
    "filter_columns_by_rules": ("SF113", bool),
    "pipeline_name": ("SF113", _pipeline_name),
    "log_table": ("SF206", _log_table),
    "quarantine": ("SF113", check_pipeline_quarantine),
}
