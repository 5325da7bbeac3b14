"""Definition-time checks of `PipelineBuilder`: one function per argument kind, each returning the
normalised value or raising an error that names the step and suggests the fix.

Input: what a user passed to a builder method, and the steps declared so far. Output: clean values:

    check_sources("silvers", "gold", "daily", ["clean_evnts"], steps)
    -> StepError("gold step 'daily': source_silvers names unknown step 'clean_evnts'",
                 hint "did you mean 'clean_events'?")

Name checks are the pure functions of `security.checks` (no audit log, no process-wide state) and
run before anything touches Spark, so a malicious name never reaches the catalog.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sparkforge.exceptions import ConfigurationError, StepError
from sparkforge.ir import Layer, Settings, Span, Step, Transform, WriteMode
from sparkforge.models import check_rate, check_workers
from sparkforge.security import checks as security
from sparkforge.suggest import hints

if TYPE_CHECKING:  # the compiler uses these checks without Spark; keep pyspark out of its imports
    from pyspark.sql import SparkSession

_TABLE_FORMATS = ("delta", "parquet")


def make_settings(*, schema: object, table_format: object, pipeline_name: object,
                  log_table: object, **options: Any) -> Settings:
    """Validated builder settings; thresholds 0..100, workers >= 1 (ConfigurationError)."""
    if not isinstance(schema, str) or not schema:
        raise ConfigurationError(f"schema must be a schema name, got {schema!r}")
    fmt = str(table_format).lower()
    if fmt not in _TABLE_FORMATS:
        raise ConfigurationError(f"table_format must be one of {_TABLE_FORMATS}, got "
                                 f"{table_format!r}", suggestions=("use 'delta' (the default)",))
    if pipeline_name is not None and (not isinstance(pipeline_name, str) or not pipeline_name):
        raise ConfigurationError(f"pipeline_name must be a non-empty string, got {pipeline_name!r}")
    if log_table is not None and not isinstance(log_table, str):
        raise ConfigurationError(f"log_table must be a table name, got {log_table!r}")
    return Settings(
        schema=check_identifier("schema", schema, None),
        min_bronze_rate=check_rate("min_bronze_rate", options["min_bronze_rate"]),
        min_silver_rate=check_rate("min_silver_rate", options["min_silver_rate"]),
        min_gold_rate=check_rate("min_gold_rate", options["min_gold_rate"]),
        verbose=bool(options["verbose"]),
        enable_parallel_silver=bool(options["enable_parallel_silver"]),
        max_parallel_workers=check_workers("max_parallel_workers", options["max_parallel_workers"]),
        table_format=fmt,
        filter_columns_by_rules=bool(options["filter_columns_by_rules"]),
        pipeline_name=pipeline_name or "pipeline",
        log_table=None if log_table is None else check_identifier("table", log_table, None),
    )


class StepContext:
    """The step being defined: its name and layer, for error messages."""

    def __init__(self, name: str, layer: Layer) -> None:
        self.name, self.layer = name, layer

    def __str__(self) -> str:
        return f"{self.layer.value} step {self.name!r}"

    def error(self, problem: str, suggestions: Sequence[str] = ()) -> StepError:
        return StepError(
            f"{self}: {problem}", step=self.name, layer=self.layer.value, suggestions=suggestions
        )


def check_step_name(name: object, layer: Layer, steps: Sequence[Step]) -> StepContext:
    """A non-empty name that no step of any layer uses yet."""
    if not isinstance(name, str) or not name.strip():
        raise StepError(
            f"{layer.value} step name must be a non-empty string, got {name!r}",
            layer=layer.value,
            suggestions=("e.g. name='clean_events'",),
        )
    taken = next((s for s in steps if s.name == name), None)
    if taken is not None:
        raise StepError(
            f"{layer.value} step {name!r}: the name is already used by the "
            f"{taken.layer.value} step {name!r}; step names are unique across all layers",
            step=name,
            layer=layer.value,
            suggestions=(f"rename one of them, e.g. '{layer.value}_{name}'",),
        )
    return StepContext(name, layer)


def check_identifier(kind: str, value: str, ctx: StepContext | None) -> str:
    """A safe table or schema name (`kind` is "table" or "schema"), by the pure security checks."""
    check = security.check_schema_name if kind == "schema" else security.check_table_name
    problem = check(value)
    if problem is None:
        return value
    if ctx is None:
        raise ConfigurationError(f"invalid {kind} name: {problem.message}",
                                 suggestions=problem.suggestions)
    raise ctx.error(f"invalid {kind} name: {problem.message}", problem.suggestions)


def check_table_name(table_name: object, ctx: StepContext) -> str:
    """An unqualified, safe table name; the schema comes from `schema=` or the builder."""
    if not isinstance(table_name, str) or not table_name.strip():
        raise ctx.error(f"table_name must be a non-empty string, got {table_name!r}",
                        (f"e.g. table_name={ctx.name!r}",))
    check_identifier("table", table_name, ctx)
    if "." in table_name:
        schema, _, table = table_name.rpartition(".")
        raise ctx.error(f"table_name {table_name!r} is qualified; give the schema separately",
                        (f"write table_name={table!r}, schema={schema!r}",))
    return table_name


def check_schema_exists(spark: SparkSession, schema: str, ctx: StepContext) -> None:
    """The schema is in the catalog (one metastore call; the builder remembers the schemas it has
    seen, so this runs once per schema per builder, and nothing is kept process-wide)."""
    try:
        exists = spark.catalog.databaseExists(schema)
    except Exception as exc:
        raise ctx.error(
            f"cannot check schema {schema!r}: {type(exc).__name__}: {exc}",
            ("check that this Spark user may read the metastore (permissions, connectivity)",),
        ) from exc
    if not exists:
        raise ctx.error(
            f"schema {schema!r} does not exist",
            (f"create it first: spark.sql('CREATE SCHEMA IF NOT EXISTS {schema}')",),
        )


def check_transform(transform: object, ctx: StepContext) -> Transform:
    """The callable, kept as is, with its name for logs and generated code."""
    if not callable(transform):
        raise ctx.error(
            f"transform must be a function, got {type(transform).__name__}",
            ("pass the function itself (transform=clean), not its result (transform=clean(...))",),
        )
    func: Callable[..., Any] = transform
    if isinstance(func, functools.partial):  # partial(dedupe, key="id"): named after dedupe
        inner, bound = func.func, tuple(func.keywords.items())
        return Transform(name=getattr(inner, "__name__", type(inner).__name__), func=func, args=func.args, kwargs=bound)
    return Transform(name=getattr(func, "__name__", type(func).__name__), func=func)


def check_optional_column(what: str, value: object, ctx: StepContext) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(f"{what} must be a column name, got {value!r}")
    return value


def names_tuple(what: str, value: object, ctx: StepContext) -> tuple[str, ...]:
    """A str or a list of str as a tuple without repeats (None -> ())."""
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) and n for n in names):
        raise ctx.error(f"{what} must be a list of step or column names, got {value!r}")
    return tuple(dict.fromkeys(names))


def check_source_bronze(source: object, ctx: StepContext, steps: Sequence[Step],
                        optional: bool) -> str | None:
    """The named bronze step, else the most recently added one (None if `optional` and none)."""
    bronzes = [s.name for s in steps if s.layer is Layer.BRONZE]
    if source is None:
        if bronzes:
            return bronzes[-1]
        if optional:
            return None
        raise ctx.error("there is no bronze step to read from",
                        ("add one first with with_bronze_rules(...), or pass source_bronze",))
    if not isinstance(source, str) or source not in bronzes:
        other = next((s for s in steps if s.name == source), None)
        kind = f"is a {other.layer.value} step" if other else "is not a bronze step"
        raise ctx.error(f"source_bronze {source!r} {kind}",
                        [*hints(str(source), bronzes), f"bronze steps: {bronzes}"])
    return source


def check_silver_refs(what: str, names: Sequence[str], ctx: StepContext, steps: Sequence[Step],
                      allow_later: bool) -> None:
    """Each name is a silver step; with `allow_later`, unknown names wait for `build()`."""
    silvers = [s.name for s in steps if s.layer is Layer.SILVER]
    for name in names:
        other = next((s for s in steps if s.name == name), None)
        if other is not None and other.layer is not Layer.SILVER:
            raise ctx.error(f"{what} names {name!r}, which is a {other.layer.value} step",
                            (f"{what} lists silver steps; silver steps: {silvers}",))
        if other is None and not allow_later:
            raise ctx.error(f"{what} names unknown step {name!r}",
                            [*hints(name, silvers), f"silver steps: {silvers}"])


def check_table_unique(table: str, schema: str | None, ctx: StepContext, steps: Sequence[Step],
                       default_schema: str) -> None:
    """No step declared before names the same `<schema>.<table>`: two writers of one table would
    overwrite each other's rows (the catalog compares names case-insensitively)."""
    target = _table_key(schema or default_schema, table)
    for step in steps:
        if step.table_name and _table_key(step.schema or default_schema, step.table_name) == target:
            shown = f"{schema or default_schema}.{table}"
            raise ctx.error(f"table {shown} is already the table of the {step.layer.value} step "
                            f"{step.name!r}; two steps cannot write one table",
                            (f"give this step its own table, e.g. table_name={ctx.name!r}",))


def check_not_own_input(table: str, schema: str | None, source_bronze: str | None, ctx: StepContext,
                        steps: Sequence[Step], default_schema: str) -> None:
    """A silver step does not write the table its bronze step reads (`<schema>.<bronze name>`):
    the first overwrite would replace the raw input with its own output."""
    bronze = next((s for s in steps if s.name == source_bronze and s.layer is Layer.BRONZE), None)
    if bronze is None:
        return
    read = (bronze.schema or default_schema, bronze.name)
    if _table_key(*read) == _table_key(schema or default_schema, table):
        raise ctx.error(f"table {read[0]}.{table} is the table its bronze step {bronze.name!r} reads; "
                        "writing it would overwrite the step's own input",
                        (f"give the silver step its own table, e.g. table_name='clean_{bronze.name}'",))


def _table_key(schema: str, table: str) -> tuple[str, str]:
    return schema.lower(), table.lower()


def infer_source_silvers(ctx: StepContext, steps: Sequence[Step]) -> tuple[str, ...]:
    silvers = tuple(s.name for s in steps if s.layer is Layer.SILVER)
    if not silvers:
        raise ctx.error("there is no silver step to read from",
                        ("add silver steps first, or pass source_silvers",))
    return silvers


def check_write(write_mode: object, merge_keys: object, ctx: StepContext
                ) -> tuple[WriteMode | None, tuple[str, ...]]:
    """WriteMode (from the enum or its name) and the merge keys that MERGE needs."""
    keys = names_tuple("merge_keys", merge_keys, ctx)
    if write_mode is None:
        mode = None
    else:
        try:
            mode = WriteMode(str(write_mode).lower())
        except ValueError:
            raise ctx.error(f"unknown write_mode {write_mode!r}",
                            ([f"use one of {[m.value for m in WriteMode]}"])) from None
    if mode is WriteMode.MERGE and not keys:
        raise ctx.error("write_mode 'merge' needs merge_keys", ("e.g. merge_keys=['id']",))
    if keys and mode is not WriteMode.MERGE:
        raise ctx.error("merge_keys only apply with write_mode='merge'",
                        ("add write_mode='merge', or drop merge_keys",))
    return mode, keys


def caller_span() -> Span | None:
    """Where the user declared a step: the first frame outside sparkforge (a failure that the
    run cannot place in the user's code is reported at this line)."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame = frame.f_back  # type: ignore[assignment]
    return None if frame is None else Span(frame.f_code.co_filename, frame.f_lineno, 0)


def check_later_refs(step: Step, steps: Sequence[Step]) -> None:
    """Silver steps may name silver steps declared after them; by now those must exist."""
    ctx = StepContext(step.name, step.layer)
    for what, refs in (("source_silvers", step.source_silvers), ("depends_on", step.depends_on)):
        check_silver_refs(what, refs, ctx, steps, allow_later=False)
