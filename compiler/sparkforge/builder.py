"""PipelineBuilder: declare a bronze -> silver -> gold pipeline with a fluent API.

Input: builder calls (step names, rules, transforms, tables, options). Output: an `ir.Pipeline` of
frozen steps (`build()`), checked as each step is declared, or a `PipelineRunner` (`to_pipeline()`):

    PipelineBuilder(spark=spark, schema="shop").with_bronze_rules(name="orders", rules={"id": ["not_null"]})
    -> Step(name="orders", layer=BRONZE, rules=(RuleSpec("id", SHORTHAND, "not_null"),), ...)

Every mistake that can be seen before running is raised here, naming the step (docs/builder.md).
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pyspark.sql import SparkSession

from sparkforge import builder_checks as bc
from sparkforge import graph, rule_helpers
from sparkforge.builder_views import BuilderViews
from sparkforge.exceptions import ConfigurationError, PipelineValidationError
from sparkforge.ir import Layer, Pipeline, Step, WriteMode
from sparkforge.models import ParallelConfig
from sparkforge.presets import PRESETS
from sparkforge.quarantine_option import check_pipeline_quarantine, check_quarantine
from sparkforge.rules import ColumnRules, parse_rules, unchecked_columns
from sparkforge.suggest import hints

if TYPE_CHECKING:
    from sparkforge.runner import PipelineRunner

__all__ = ["PipelineBuilder"]

logger = logging.getLogger("sparkforge.builder")


class PipelineBuilder(BuilderViews):
    """Fluent builder of medallion pipelines; every method returns the builder for chaining.

    Its read-only views (`thresholds`, `steps`, `silver_steps` ...) come from `BuilderViews`.
    """

    def __init__(
        self,
        spark: SparkSession,
        schema: str,
        min_bronze_rate: float = 95.0,
        min_silver_rate: float = 98.0,
        min_gold_rate: float = 99.0,
        enable_parallel_silver: bool = True,
        max_parallel_workers: int = 4,
        verbose: bool = True,
        table_format: str = "delta",
        filter_columns_by_rules: bool = True,
        pipeline_name: str | None = None,
        log_table: str | None = None,
        quarantine: bool = False,
    ) -> None:
        if spark is None:
            raise ConfigurationError("spark is None", suggestions=("pass a SparkSession",))
        self.spark = spark
        self.settings = bc.make_settings(
            schema=schema,
            min_bronze_rate=min_bronze_rate,
            min_silver_rate=min_silver_rate,
            min_gold_rate=min_gold_rate,
            verbose=verbose,
            enable_parallel_silver=enable_parallel_silver,
            max_parallel_workers=max_parallel_workers,
            table_format=table_format,
            filter_columns_by_rules=filter_columns_by_rules,
            pipeline_name=pipeline_name,
            log_table=log_table,
        )
        self.settings = dataclasses.replace(self.settings, quarantine=check_pipeline_quarantine(quarantine))
        self._steps: list[Step] = []
        self._known_schemas: set[str] = set()

    # ---- presets ------------------------------------------------------------------------------
    @classmethod
    def _preset(cls, preset: str, spark: SparkSession, schema: str, kwargs: Mapping[str, Any]
                ) -> PipelineBuilder:
        accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        for key in kwargs:
            if key not in accepted or key in ("spark", "schema"):
                raise ConfigurationError(f"for_{preset}() got an unknown option {key!r}",
                                         suggestions=hints(key, accepted[2:]))
        return cls(spark=spark, schema=schema, **{**PRESETS[f"for_{preset}"], **kwargs})

    @classmethod
    def for_development(cls, spark: SparkSession, schema: str, **kwargs: Any) -> PipelineBuilder:
        """Relaxed thresholds 80/85/90, verbose, parallel with 2 workers."""
        return cls._preset("development", spark, schema, kwargs)

    @classmethod
    def for_production(cls, spark: SparkSession, schema: str, **kwargs: Any) -> PipelineBuilder:
        """Strict thresholds 95/98/99, quiet, parallel with 8 workers."""
        return cls._preset("production", spark, schema, kwargs)

    @classmethod
    def for_testing(cls, spark: SparkSession, schema: str, **kwargs: Any) -> PipelineBuilder:
        """Loose thresholds 70/75/80, verbose, one step at a time."""
        return cls._preset("testing", spark, schema, kwargs)

    # ---- rule helpers ---------------------------------------------------------------------------
    not_null_rules = staticmethod(rule_helpers.not_null_rules)
    positive_number_rules = staticmethod(rule_helpers.positive_number_rules)
    string_not_empty_rules = staticmethod(rule_helpers.string_not_empty_rules)
    timestamp_rules = staticmethod(rule_helpers.timestamp_rules)
    detect_timestamp_columns = staticmethod(rule_helpers.detect_timestamp_columns)

    # ---- steps ----------------------------------------------------------------------------------
    def with_bronze_rules(
        self,
        name: str,
        rules: ColumnRules,
        incremental_col: str | None = None,
        description: str | None = None,
        schema: str | None = None,
        quarantine: bool | str | None = None,
    ) -> PipelineBuilder:
        """Declare a bronze input, read from `<schema>.<name>` unless a DataFrame is passed in."""
        ctx = bc.check_step_name(name, Layer.BRONZE, self._steps)
        step = Step(name=name, layer=Layer.BRONZE, **self._rules(rules, ctx, quarantine),
                    incremental_col=bc.check_optional_column("incremental_col", incremental_col, ctx),
                    description=description, schema=self._schema(schema, ctx))
        return self._add(step)

    def with_silver_rules(
        self,
        name: str,
        table_name: str,
        rules: ColumnRules,
        watermark_col: str | None = None,
        description: str | None = None,
        schema: str | None = None,
    ) -> PipelineBuilder:
        """Declare an existing silver table: validated and readable by gold steps, never written."""
        ctx = bc.check_step_name(name, Layer.SILVER, self._steps)
        fields = self._rules(rules, ctx)
        table = bc.check_table_name(table_name, ctx)
        self._check_table(table, schema, None, ctx)
        step = Step(name=name, layer=Layer.SILVER, **fields, table_name=table,
                    watermark_col=bc.check_optional_column("watermark_col", watermark_col, ctx),
                    description=description, existing=True, schema=self._schema(schema, ctx))
        return self._add(step)

    def add_silver_transform(
        self,
        name: str,
        transform: Callable[..., Any],
        rules: ColumnRules,
        table_name: str,
        source_bronze: str | None = None,
        watermark_col: str | None = None,
        description: str | None = None,
        depends_on: list[str] | None = None,
        schema: str | None = None,
        source_silvers: list[str] | None = None,
        write_mode: WriteMode | str | None = None,
        merge_keys: list[str] | None = None,
        filter_columns_by_rules: bool | None = None,
        quarantine: bool | str | None = None,
        schema_evolution: bool = False,
    ) -> PipelineBuilder:
        """Add `transform(spark, bronze_df, prior_silvers)`, written to `<schema>.<table_name>`."""
        ctx = bc.check_step_name(name, Layer.SILVER, self._steps)
        fields = self._rules(rules, ctx, quarantine)
        func = bc.check_transform(transform, ctx)
        table = bc.check_table_name(table_name, ctx)
        silvers = bc.names_tuple("source_silvers", source_silvers, ctx)
        after = bc.names_tuple("depends_on", depends_on, ctx)
        bc.check_silver_refs("source_silvers", silvers, ctx, self._steps, allow_later=True)
        bc.check_silver_refs("depends_on", after, ctx, self._steps, allow_later=True)
        bronze = bc.check_source_bronze(source_bronze, ctx, self._steps, bool(silvers or after))
        mode, keys = bc.check_write(write_mode, merge_keys, ctx)
        self._check_table(table, schema, bronze, ctx)
        step = Step(name=name, layer=Layer.SILVER, **fields, transform=func, table_name=table,
                    source_bronze=bronze, source_silvers=silvers, depends_on=after,
                    watermark_col=bc.check_optional_column("watermark_col", watermark_col, ctx),
                    write_mode=mode, merge_keys=keys, description=description,
                    filter_columns_by_rules=filter_columns_by_rules,
                    schema=self._schema(schema, ctx), schema_evolution=bool(schema_evolution))
        return self._add(step)

    def add_gold_transform(
        self,
        name: str,
        transform: Callable[..., Any],
        rules: ColumnRules,
        table_name: str,
        source_silvers: list[str] | None = None,
        description: str | None = None,
        schema: str | None = None,
        write_mode: WriteMode | str | None = None,
        merge_keys: list[str] | None = None,
        filter_columns_by_rules: bool | None = None,
        quarantine: bool | str | None = None,
        schema_evolution: bool = False,
    ) -> PipelineBuilder:
        """Add `transform(spark, silvers)`, written to `<schema>.<table_name>`."""
        ctx = bc.check_step_name(name, Layer.GOLD, self._steps)
        fields = self._rules(rules, ctx, quarantine)
        func = bc.check_transform(transform, ctx)
        table = bc.check_table_name(table_name, ctx)
        silvers = bc.names_tuple("source_silvers", source_silvers, ctx)
        bc.check_silver_refs("source_silvers", silvers, ctx, self._steps, allow_later=False)
        mode, keys = bc.check_write(write_mode, merge_keys, ctx)
        self._check_table(table, schema, None, ctx)
        step = Step(name=name, layer=Layer.GOLD, **fields, transform=func, table_name=table,
                    source_silvers=silvers or bc.infer_source_silvers(ctx, self._steps),
                    write_mode=mode, merge_keys=keys, description=description,
                    filter_columns_by_rules=filter_columns_by_rules,
                    schema=self._schema(schema, ctx), schema_evolution=bool(schema_evolution))
        return self._add(step)

    def enable_unified_execution(
        self,
        max_workers: int = 4,
        enable_parallel_execution: bool = True,
        enable_dependency_optimization: bool = True,
    ) -> PipelineBuilder:
        """Schedule across layers: a step starts once its own dependencies are done.

        With `enable_dependency_optimization=False` stages stay one layer each (still parallel).
        """
        config = ParallelConfig(max_workers, enable_parallel_execution, enable_dependency_optimization)
        self.settings = dataclasses.replace(
            self.settings,
            max_parallel_workers=config.max_workers,
            enable_parallel_silver=bool(config.enable_parallel_execution),
            unified_execution=bool(config.enable_dependency_optimization),
        )
        return self

    # ---- result -----------------------------------------------------------------------------------
    def build(self) -> Pipeline:
        """The validated pipeline: every referenced step exists, and there is no cycle."""
        if not self._steps:
            raise PipelineValidationError("the pipeline has no steps",
                                          suggestions=("add a step, e.g. with_bronze_rules(...)",))
        for step in self._steps:
            bc.check_later_refs(step, self._steps)
        pipeline = Pipeline(settings=self.settings, steps=tuple(self._steps))
        graph.check_references(pipeline)
        return pipeline

    def to_pipeline(self) -> PipelineRunner:
        """A `PipelineRunner` for the validated pipeline."""
        from sparkforge.runner import PipelineRunner

        return PipelineRunner(spark=self.spark, pipeline=self.build(), builder=self)

    # ---- internals --------------------------------------------------------------------------------
    def _rules(self, rules: ColumnRules, ctx: bc.StepContext, quarantine: object = None) -> dict[str, Any]:
        """The Step fields that come from a rules dict, and where its invalid rows go."""
        specs = parse_rules(rules, step=ctx.name, layer=ctx.layer.value)
        return {"rules": specs, "unchecked_columns": unchecked_columns(rules),
                "quarantine": check_quarantine(quarantine, ctx)}

    def _schema(self, schema: str | None, ctx: bc.StepContext) -> str | None:
        """The step's own schema, checked against the catalog once per builder."""
        if schema is None:
            return None
        bc.check_identifier("schema", schema, ctx)
        if schema not in self._known_schemas:
            bc.check_schema_exists(self.spark, schema, ctx)
            self._known_schemas.add(schema)
        return schema

    def _check_table(self, table: str, schema: str | None, bronze: str | None,
                     ctx: bc.StepContext) -> None:
        """The step's table is its own: no other step's, and not its bronze input."""
        default = self.settings.schema
        bc.check_table_unique(table, schema, ctx, self._steps, default)
        bc.check_not_own_input(table, schema, bronze, ctx, self._steps, default)

    def _add(self, step: Step) -> PipelineBuilder:
        self._steps.append(step if step.span else dataclasses.replace(step, span=bc.caller_span()))
        level = logging.INFO if self.settings.verbose else logging.DEBUG
        upstream = f" <- {', '.join(step.upstream)}" if step.upstream else ""
        logger.log(level, "added %s step %r%s", step.layer.value, step.name, upstream)
        return self
