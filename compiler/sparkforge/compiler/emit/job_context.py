"""Decide the names a job binds before any code is emitted: step functions, transforms, imports.

Input: an `ir.Plan` and `GenerateOptions`. Output: a `JobContext` that every emitter reads, so that
naming is decided once, deterministically, and a clash with the user's own names is a diagnostic.

    Step("clean_orders", SILVER, transform=Transform("<lambda>", source="lambda spark, df, p: df"))
    -> functions["clean_orders"] == "silver_clean_orders",
       transforms["clean_orders"] == TransformCode("clean_orders_transform", "lambda spark, df, p: df", ...)
"""

from __future__ import annotations

import ast
import keyword
import posixpath
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.emit.emit_rules import needs_functions_module
from sparkforge.compiler.emit.step_words import dependents
from sparkforge.compiler.emit.support_names import (
    bindings,
    future_names,
    imported_modules,
    is_future_import,
)
from sparkforge.ir import CodeBlock, Pipeline, Plan, RuleKind, Span, Step
from sparkforge.step_plan import StepPlan, plan_steps

# The job's own imports: bound name -> the dotted name it stands for.
JOB_IMPORTS: dict[str, str] = {
    "sys": "sys",
    "DataFrame": "pyspark.sql.DataFrame",
    "F": "pyspark.sql.functions",
    "run_job": "sparkforge_runtime.job.run_job",
    "Pipeline": "sparkforge_runtime.plan.Pipeline",
    "Plan": "sparkforge_runtime.plan.Plan",
    "step": "sparkforge_runtime.plan.step",
    "Rule": "sparkforge_runtime.rules.Rule",
    "StepRun": "sparkforge_runtime.verbs.StepRun",
}
# The same objects under the other names pyspark exports them as.
SAME_OBJECT: dict[str, frozenset[str]] = {
    "DataFrame": frozenset({"pyspark.sql.DataFrame", "pyspark.sql.dataframe.DataFrame"}),
    "F": frozenset({"pyspark.sql.functions"}),
}
JOB_NAMES = frozenset({"PIPELINE", "main"})
# Local names of the step functions: a transform or rule set the body calls must not be one.
STEP_LOCALS = frozenset({"run", "since", "df", "checked", "priors", "silvers", "groups"})
NO_SPAN = Span("<pipeline>", 0, 0)


@dataclass(frozen=True, slots=True)
class GenerateOptions:
    """How the job refers to itself and its source; all paths relative and posix, for determinism."""

    source_path: str = "pipeline.py"  # the pipeline, relative to the job's folder
    job_name: str = "job.py"
    filename: str = "pipeline.py"  # the name the pipeline was read as (spans use it)
    compiled_with: str = "0.0.0"
    runtime_requires: str = ">=0.0.0"
    layout_width: int | None = 88  # black's line length, None when black must lay out every unit


@dataclass(frozen=True, slots=True)
class TransformCode:
    name: str
    source: str
    is_def: bool  # a `def` copied as is; otherwise an expression bound as `name = <source>`
    span: Span | None


@dataclass(frozen=True, slots=True)
class JobContext:
    plan: Plan
    options: GenerateOptions
    functions: Mapping[str, str]  # step name -> the job's function for it
    transforms: Mapping[str, TransformCode]  # step name -> its transform
    transform_code: tuple[TransformCode, ...]  # each transform to copy, once, in first-use order
    support: tuple[CodeBlock, ...]  # user code to copy, minus what the job's header provides
    imports: tuple[str, ...]  # names of JOB_IMPORTS the header must import
    future: tuple[str, ...]  # `from __future__ import ...` names
    steps: Mapping[str, Step]  # step name -> step, for lookups in a big pipeline
    step_plans: Mapping[str, StepPlan]  # step name -> what it reads and writes
    rules: Mapping[str, str]  # step name -> the job's function returning its rules
    locals: Mapping[str, str]  # silver step name -> the local name of its bronze rows
    cancels: Mapping[str, tuple[str, ...]]  # step name -> the steps its failure cancels

    @property
    def pipeline(self) -> Pipeline:
        return self.plan.pipeline

    def where(self, span: Span | None) -> str:
        """`pipeline.py:12`, the file named relative to the job, like the header names the source."""
        if span is None:
            return self.options.source_path
        inside = posixpath.relpath(span.file, posixpath.dirname(self.options.filename) or ".")
        folder = posixpath.dirname(self.options.source_path)
        return f"{posixpath.normpath(posixpath.join(folder, inside))}:{span.line}"


def identifier(text: str) -> str:
    """A Python name made from a step name: `daily-revenue` -> `daily_revenue`."""
    name = re.sub(r"\W", "_", text) or "_"
    name = f"_{name}" if name[0].isdigit() else name
    return f"{name}_" if keyword.iskeyword(name) else name


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def _clash(span: Span | None, name: str, why: str) -> CompileError:
    return CompileError(
        Diagnostic("SF602", f"{name!r} {why}", span or NO_SPAN, f"rename {name!r} in your code")
    )


class _Namer:
    """Hands out the job's names in declaration order; the user's names are never shadowed."""

    def __init__(self, support: tuple[CodeBlock, ...]) -> None:
        self.support_defs = {
            name: b.source
            for b in support
            for name, target in bindings(b).items()
            if target is None
        }
        self.taken = set(JOB_IMPORTS) | JOB_NAMES | STEP_LOCALS
        self.taken |= {n for b in support for n in bindings(b)}
        self.defs: dict[str, TransformCode] = {}
        self.code: list[TransformCode] = []

    def transform(self, step: Step) -> TransformCode:
        transform = step.transform
        if transform is None or transform.source is None:
            raise ValueError(
                f"step {step.name!r}: transform without source text (compiler path only)"
            )
        source = textwrap.dedent(transform.source).strip("\n")
        node = _single_definition(source)
        if node is None:
            name = _unique(identifier(f"{step.name}_transform"), self.taken)
            code = TransformCode(name, source.strip(), False, transform.span)
            self.code.append(code)
            return code
        return self._definition(node.name, _module_level(source, node), transform.span)

    def _definition(self, name: str, source: str, span: Span | None) -> TransformCode:
        if name in self.defs and self.defs[name].source == source:
            return self.defs[name]
        code = TransformCode(name, source, True, span)
        if self.support_defs.get(name, "").strip() == source.strip():
            self.defs[name] = code  # already copied as a helper of another transform
            return code
        if name in self.taken:
            raise _clash(
                span, name, "is bound twice in the job (a transform and another definition)"
            )
        self.taken.add(name)
        self.defs[name] = code
        self.code.append(code)
        return code

    def function(self, step: Step) -> str:
        return _unique(identifier(f"{step.layer.value}_{step.name}"), self.taken)

    def rules(self, step: Step, seen: dict[tuple[str, ...], str]) -> str:
        """One function per distinct rule set: steps with the same rules share it."""
        key = tuple(repr(r) for r in step.rules) or ("<none>",)
        if key not in seen:
            seen[key] = _unique(identifier(f"{step.name}_rules"), self.taken)
        return seen[key]


def _local(step: Step, ctx_names: set[str]) -> str:
    """The local name of a silver step's bronze rows: the bronze step's name when it is free."""
    name = identifier(step.source_bronze or "rows")
    return name if name not in ctx_names and name not in STEP_LOCALS else "rows"


def _module_level(source: str, node: ast.AST) -> str:
    """A static method of a class (`Settings.clean`) copied as a plain function: without
    `@staticmethod`, which at module level would make it a staticmethod object."""
    lines = source.splitlines(keepends=True)
    for decorator in reversed(getattr(node, "decorator_list", [])):
        if isinstance(decorator, ast.Name) and decorator.id == "staticmethod" and decorator.end_lineno:
            del lines[decorator.lineno - 1 : decorator.end_lineno]
    return "".join(lines)


def _single_definition(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None:
    """The `def` (or class) that `source` is, or None when it is an expression such as a lambda."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None  # a multi-line lambda cut out of a call: valid once parenthesised
    if len(body) == 1 and isinstance(
        body[0], ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    ):
        return body[0]
    return None


def _header_imports(pipeline: Pipeline, support: tuple[CodeBlock, ...]) -> tuple[str, ...]:
    """The job's imports that the user's own imports do not already provide."""
    rules = [r for s in pipeline.steps for r in s.rules]
    uses_f = any(r.kind is RuleKind.EXPR and re.search(r"\bF\b", r.source or "") for r in rules)
    wanted = {"sys", "DataFrame", "run_job", "Pipeline", "Plan", "step", "Rule", "StepRun"}
    wanted |= {"F"} if needs_functions_module(rules) or uses_f else set()
    provided: set[str] = set()
    for block in support:
        if "sparkforge" in imported_modules(block):
            raise CompileError(_compiler_import(block))
        for name, target in bindings(block).items():
            if name in JOB_NAMES:
                raise _clash(block.span, name, "is a name the job defines (PIPELINE, main)")
            if name in wanted and target not in SAME_OBJECT.get(name, {JOB_IMPORTS[name]}):
                raise _clash(block.span, name, f"must be {JOB_IMPORTS[name]} in the job")
            provided.add(name)
    return tuple(n for n in JOB_IMPORTS if n in wanted and n not in provided)


def _compiler_import(block: CodeBlock) -> Diagnostic:
    return Diagnostic(
        "SF603",
        "code copied into the job imports the `sparkforge` package, which is not shipped with jobs",
        block.span or NO_SPAN,
        "import only the standard library, pyspark and your own modules in transforms and helpers",
    )


def build_context(plan: Plan, options: GenerateOptions) -> JobContext:
    """Name everything the job binds; raise CompileError on a clash with the user's names."""
    pipeline = plan.pipeline
    support = tuple(b for b in pipeline.support if not is_future_import(b))
    namer = _Namer(support)
    transforms = {s.name: namer.transform(s) for s in pipeline.steps if s.transform is not None}
    functions = {s.name: namer.function(s) for s in pipeline.steps}
    seen: dict[tuple[str, ...], str] = {}
    rules = {s.name: namer.rules(s, seen) for s in pipeline.steps}
    names = set(namer.taken)
    return JobContext(
        plan=plan,
        options=options,
        functions=functions,
        transforms=transforms,
        transform_code=tuple(namer.code),
        support=support,
        imports=_header_imports(pipeline, support),
        future=future_names(pipeline.support),
        steps={s.name: s for s in pipeline.steps},
        step_plans=plan_steps(pipeline),
        rules=rules,
        locals={s.name: _local(s, names) for s in pipeline.steps if s.source_bronze},
        cancels=dependents(plan),
    )
