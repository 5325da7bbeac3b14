"""Frontend pass: read each step call into an `ir.Step` (rules and transforms come in the next passes).

Input: `Unit.builder.calls` and the settings-only `Unit.pipeline`. Output: `Unit.pipeline.steps`, one
`ir.Step` per `with_bronze_rules` / `with_silver_rules` / `add_silver_transform` /
`add_gold_transform` call in run order, and `Unit.steps`, the matching argument nodes. Each argument
is normalised and checked with the runtime builder's own helpers (`builder_checks`), so the same
value fails in both: step name (SF202), table name (SF206), step schema (SF205), column options and
name lists (SF209), write mode and merge keys (SF208), source_bronze that is not a name (SF201).

    .add_silver_transform("clean", clean, {}, "clean_t", depends_on="a")
    -> Step(name="clean", layer=SILVER, table_name="clean_t", depends_on=("a",), ...)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from sparkforge import builder_checks as bc
from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.values import Env, Value, problems
from sparkforge.compiler.read.call_arguments import Bound, bind_arguments
from sparkforge.compiler.read.signatures import STEP_METHODS
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.unit import MethodCall, StepCode, Unit, from_error
from sparkforge.exceptions import SparkForgeError
from sparkforge.ir import Layer, Step
from sparkforge.quarantine_option import check_quarantine

_LAYERS = {
    "with_bronze_rules": Layer.BRONZE,
    "with_silver_rules": Layer.SILVER,
    "add_silver_transform": Layer.SILVER,
    "add_gold_transform": Layer.GOLD,
}
Check = Callable[[Any, bc.StepContext], Any]


def read_steps(unit: Unit) -> Unit:
    builder, main, pipeline = unit.builder, unit.main, unit.pipeline
    if builder is None or main is None or pipeline is None:
        return unit
    reader = _StepReader(Resolver(unit.files), Env(main, builder.local), main)
    for call in builder.calls:
        if call.method in STEP_METHODS:
            reader.read(call)
    return dataclasses.replace(
        unit.report(*reader.diagnostics),
        pipeline=dataclasses.replace(pipeline, steps=tuple(reader.steps)),
        steps=tuple(reader.codes),
        partial=unit.partial or reader.partial,
    )


def _schema(value: Any, ctx: bc.StepContext) -> str:
    """As `PipelineBuilder._schema`, without the catalog lookup (the job checks that at run time)."""
    if not isinstance(value, str) or not value:
        raise ctx.error(f"schema must be a schema name, got {value!r}")
    return bc.check_identifier("schema", value, ctx)


def _source_bronze(value: Any, ctx: bc.StepContext) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return bc.check_source_bronze(value, ctx, (), optional=True)  # raises: not a step name


def _column(name: str) -> Check:
    return lambda value, ctx: bc.check_optional_column(name, value, ctx)


def _names(name: str) -> Check:
    return lambda value, ctx: bc.names_tuple(name, value, ctx)


# Parameter -> (diagnostic code, the builder's check). `rules`, `transform` and the write options
# are read elsewhere.
_FIELDS: dict[str, tuple[str, Check]] = {
    "table_name": ("SF206", bc.check_table_name),
    "schema": ("SF205", _schema),
    "incremental_col": ("SF209", _column("incremental_col")),
    "watermark_col": ("SF209", _column("watermark_col")),
    "source_bronze": ("SF201", _source_bronze),
    "source_silvers": ("SF209", _names("source_silvers")),
    "depends_on": ("SF209", _names("depends_on")),
    "description": ("SF113", lambda value, ctx: value if value is None else str(value)),
    "filter_columns_by_rules": ("SF113", lambda value, ctx: value if value is None else bool(value)),
    "quarantine": ("SF213", check_quarantine),
    "schema_evolution": ("SF113", lambda value, ctx: bool(value)),
}


class _StepReader:
    def __init__(self, resolver: Resolver, env: Env, main: SourceFile) -> None:
        self.resolver, self.env, self.main = resolver, env, main
        self.local = env.local
        self.steps: list[Step] = []
        self.codes: list[StepCode] = []
        self.diagnostics: list[Diagnostic] = []
        self.partial = False

    def read(self, call: MethodCall) -> None:
        self.env = call.env(self.main, self.local)
        layer = _LAYERS[call.method]
        where = self.main.span(call.name_node, call.call)
        bound = bind_arguments(call.call, STEP_METHODS[call.method], f"{call.method}()",
                               self.resolver, self.env, where)  # fmt: skip
        self.diagnostics.extend(bound.diagnostics)
        name = self._name(bound, layer)
        if name is None:
            self.partial = True
            return
        ctx = bc.StepContext(name, layer)
        fields = {p: self._field(bound, p, ctx) for p in _FIELDS if p in bound.args}
        fields.update(self._write(bound, ctx))
        self.steps.append(Step(
            name=name, layer=layer, existing=call.method == "with_silver_rules",
            span=self.main.span(call.name_node, call.call),
            **{k: v for k, v in fields.items() if v is not _FAILED},
        ))  # fmt: skip
        self.codes.append(StepCode(call, bound.args, bound.spans))

    def _value(self, bound: Bound, param: str) -> Any:
        arg = bound.args[param]
        try:
            value = arg if isinstance(arg, Value) else self.resolver.value(arg, self.env)
        except CompileError as err:
            self.diagnostics.extend(problems(err))
            return _FAILED
        return value.plain()

    def _name(self, bound: Bound, layer: Layer) -> str | None:
        if "name" not in bound.args:
            return None
        name = self._value(bound, "name")
        if name is _FAILED:
            return None
        try:
            bc.check_step_name(name, layer, ())
        except SparkForgeError as err:
            self.diagnostics.append(from_error("SF202", err, bound.spans["name"]))
            return None
        assert isinstance(name, str)
        return name

    def _field(self, bound: Bound, param: str, ctx: bc.StepContext) -> Any:
        value = self._value(bound, param)
        if value is _FAILED:
            return _FAILED
        code, check = _FIELDS[param]
        try:
            return check(value, ctx)
        except SparkForgeError as err:
            self.diagnostics.append(from_error(code, err, bound.spans[param]))
            return _FAILED

    def _write(self, bound: Bound, ctx: bc.StepContext) -> dict[str, Any]:
        """write_mode and merge_keys, checked together as the builder does."""
        given = [p for p in ("write_mode", "merge_keys") if p in bound.args]
        values = {p: self._value(bound, p) for p in given}
        if not given or _FAILED in values.values():
            return {}
        try:
            keys = bc.names_tuple("merge_keys", values.get("merge_keys"), ctx)
        except SparkForgeError as err:
            self.diagnostics.append(from_error("SF209", err, bound.spans["merge_keys"]))
            return {}
        try:
            mode, keys = bc.check_write(values.get("write_mode"), keys, ctx)
        except SparkForgeError as err:
            self.diagnostics.append(from_error("SF208", err, bound.spans[given[0]]))
            return {}
        return {"write_mode": mode, "merge_keys": keys}


_FAILED = object()  # an argument already reported as wrong: leave the field at its default
