"""The pipeline model shared by the builder, the interpreted runner and the compiler.

Input: what a user declared, either by calling `PipelineBuilder` methods (the callables are kept) or by
writing builder code that the compiler reads statically (the source text is kept). Output: frozen data
that both the runner and the code generator consume, so the two paths cannot disagree.

    builder.with_bronze_rules(name="orders", rules={"id": ["not_null"]})
    -> Step(name="orders", layer=Layer.BRONZE, rules=(RuleSpec("id", "shorthand", "not_null"),), ...)
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Layer(enum.StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"


class RuleKind(enum.StrEnum):
    SHORTHAND = "shorthand"  # "not_null", "positive", ...
    OPERATOR = "operator"  # ["gt", 0], ["between", 1, 5], ...
    SQL = "sql"  # "amount > 0 AND amount < 1e6"
    EXPR = "expr"  # a PySpark Column (builder) or its source text (compiler)


@dataclass(frozen=True, slots=True)
class Span:
    """Where something was written: 1-based line, 0-based column, like libcst's positions."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column + 1}"


@dataclass(frozen=True, slots=True, eq=False)
class RuleSpec:
    """One rule item of one column, as data.

    `args` holds operator arguments, or the SQL text for SQL rules. For EXPR rules, `column_obj` is the
    PySpark Column (builder path) and `source` the Python source of the expression (compiler path).
    """

    column: str
    kind: RuleKind
    name: str
    args: tuple[Any, ...] = ()
    column_obj: Any = None
    source: str | None = None
    span: Span | None = None
    action: str = "drop"  # what a failing row does: drop (invalid), warn (still valid), fail (the step)
    alias: str | None = None  # the name given with `rule(..., name=...)`: the label is `column:alias`

    @property
    def label(self) -> str | None:
        """The `_failed_rules` label; None for EXPR rules, which are named from the expression at run time."""
        if self.alias is not None:
            return f"{self.column}:{self.alias}"
        if self.kind is RuleKind.SHORTHAND:
            return f"{self.column}:{self.name}"
        if self.kind is RuleKind.OPERATOR:
            return f"{self.column}:{self.name}({', '.join(repr(a) for a in self.args)})"
        if self.kind is RuleKind.SQL:
            return f"{self.column}:{self.args[0]}"
        return None


@dataclass(frozen=True, slots=True, eq=False)
class Transform:
    """A silver or gold transform: the callable (builder) or its source (compiler). `args` and
    `kwargs` are the literal arguments a `functools.partial(name, *args, **kwargs)` binds: the
    transform is called as `name(*args, spark, ..., **kwargs)`."""

    name: str
    func: Callable[..., Any] | None = None
    source: str | None = None
    span: Span | None = None
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


class WriteMode(enum.StrEnum):
    OVERWRITE = "overwrite"
    APPEND = "append"
    MERGE = "merge"


@dataclass(frozen=True, slots=True, eq=False)
class Step:
    """One declared step. Bronze steps read; silver and gold steps transform and write `table_name`."""

    name: str
    layer: Layer
    rules: tuple[RuleSpec, ...] = ()
    description: str | None = None
    schema: str | None = None
    table_name: str | None = None
    transform: Transform | None = None
    source_bronze: str | None = None
    source_silvers: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    incremental_col: str | None = None
    watermark_col: str | None = None
    write_mode: WriteMode | None = None
    merge_keys: tuple[str, ...] = ()
    filter_columns_by_rules: bool | None = None
    existing: bool = False  # with_silver_rules: an existing table that is validated, not written
    span: Span | None = None
    # Columns given an empty rule list ({"id": []}): kept when rules filter columns, never checked.
    unchecked_columns: tuple[str, ...] = ()
    quarantine: bool | str | None = None  # None: as the pipeline says; a str names the table
    schema_evolution: bool = False  # the step may change its table's column types and add columns

    @property
    def rule_columns(self) -> tuple[str, ...]:
        """Columns named in the rules (checked ones first), without repeats."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            seen.setdefault(rule.column, None)
        for column in self.unchecked_columns:
            seen.setdefault(column, None)
        return tuple(seen)

    @property
    def upstream(self) -> tuple[str, ...]:
        """Every step this one needs, in declaration order, without repeats."""
        names = (self.source_bronze, *self.source_silvers, *self.depends_on)
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True, slots=True)
class Settings:
    """Builder-level options (constructor arguments and presets)."""

    schema: str
    min_bronze_rate: float = 95.0
    min_silver_rate: float = 98.0
    min_gold_rate: float = 99.0
    verbose: bool = True
    enable_parallel_silver: bool = True
    max_parallel_workers: int = 4
    table_format: str = "delta"
    filter_columns_by_rules: bool = True
    unified_execution: bool = False
    pipeline_name: str = "pipeline"
    log_table: str | None = None
    quarantine: bool = False  # every step keeps its invalid rows in `<table>_quarantine`

    def threshold(self, layer: Layer) -> float:
        return {
            Layer.BRONZE: self.min_bronze_rate,
            Layer.SILVER: self.min_silver_rate,
            Layer.GOLD: self.min_gold_rate,
        }[layer]


@dataclass(frozen=True, slots=True)
class Bound:
    """A module-level name a copied block binds; `target` is the dotted name an import binds it to
    (`F` -> `pyspark.sql.functions`, relative imports keep their dots), None for a def, class or
    assignment."""

    name: str
    target: str | None = None


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """User code copied verbatim into a job: an import, a constant or a helper a transform uses.

    `binds` is what the frontend read of it, so that the backend never parses user code again.
    """

    name: str
    source: str
    span: Span | None = None
    binds: tuple[Bound, ...] = ()  # in order of first appearance, each name once


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A whole declared pipeline: settings plus steps in declaration order.

    `support` is the user code the transforms need (compiler path only), in dependency order with
    imports first; `source_file` and `source_hash` name where the pipeline was read from.
    """

    settings: Settings
    steps: tuple[Step, ...] = field(default_factory=tuple)
    support: tuple[CodeBlock, ...] = ()
    source_file: str | None = None
    source_hash: str = ""
    span: Span | None = None

    def step(self, name: str) -> Step:
        for candidate in self.steps:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def names(self, layer: Layer | None = None) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps if layer is None or s.layer is layer)


@dataclass(frozen=True, slots=True)
class Plan:
    """Steps grouped into stages: every step of a stage depends only on earlier stages."""

    pipeline: Pipeline
    stages: tuple[tuple[str, ...], ...]
