"""What the frontend knows about one pipeline file so far: the value every frontend pass takes and returns.

Input: the source text and `FrontendOptions`. Each pass adds what it found (parsed files, the builder
calls, the `ir.Pipeline`, the code the job needs) and the diagnostics it raised, with
`dataclasses.replace`, so a pass never changes what an earlier pass produced.

    Unit(source="...", options=FrontendOptions("pipeline.py", None))
    -> Unit(files=(SourceFile("pipeline.py"),), pipeline=Pipeline(...), diagnostics=(...))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from sparkforge import ir
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.evaluate.scopes import Block
from sparkforge.compiler.evaluate.values import Env, Frame
from sparkforge.compiler.read.source_file import SourceFile


@dataclass(frozen=True, slots=True)
class FrontendOptions:
    """`filename` is shown in diagnostics; sibling modules are looked up in `base_dir` (None: none)."""

    filename: str
    base_dir: Path | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Helper:
    """One call of a function of the pipeline file that the builder is passed to
    (`add_orders(builder, "orders")`): the builder calls in its body run once per such call."""

    call: cst.Call
    func: cst.FunctionDef
    param: str  # the parameter that receives the builder
    block: Block  # the function's own names
    outer: Helper | None = None  # the helper this call is written in, if any

    @property
    def chain(self) -> tuple[Helper, ...]:
        """This call, then the calls it is written in, outward."""
        found: list[Helper] = []
        helper: Helper | None = self
        while helper is not None:
            found.append(helper)
            helper = helper.outer
        return tuple(found)

    @property
    def outermost(self) -> Helper:
        """The call written where the builder is created."""
        return self.chain[-1]


@dataclass(frozen=True, slots=True, eq=False)
class MethodCall:
    """One call on the builder, `.with_bronze_rules(...)`, or its construction (`method` "__init__")."""

    method: str
    call: cst.Call
    name_node: cst.CSTNode  # what a diagnostic about the call points at: the method name
    loop: cst.For | None = None  # the outermost `for` the call is written in (find_builder)
    frame: Frame | None = None  # that loop's variables for this turn (unroll_loops), or the helper's
    helper: Helper | None = None  # the function call it runs in (find_builder; bind_helpers)

    def env(self, file: SourceFile, local: Block | None) -> Env:
        """Where the call's arguments are evaluated."""
        return Env(file, self.helper.block if self.helper else local, self.frame)


@dataclass(frozen=True, slots=True, eq=False)
class BuilderCode:
    """The builder's construction and the calls made on it, in the order they run.

    `local` is the block of the function that builds the pipeline (None at module level); names are
    looked up there first, then at module level.
    """

    construction: MethodCall
    calls: tuple[MethodCall, ...]
    local: Block | None = None
    function: cst.FunctionDef | None = None
    passed: tuple[cst.Call, ...] = ()  # calls the builder is passed to that were not followed


@dataclass(frozen=True, slots=True, eq=False)
class StepCode:
    """The code of one step: its call and the argument nodes bound to parameter names."""

    call: MethodCall
    args: Mapping[str, Any]  # an expression node, or a `Value` already known (from `**CONST`)
    spans: Mapping[str, ir.Span]


@dataclass(frozen=True, slots=True, eq=False)
class CodeRef:
    """User code the job needs: a transform (def or lambda) or a rule's Column expression."""

    file: SourceFile
    node: cst.CSTNode
    local: Block | None  # the builder function's block when the code is written inside it


@dataclass(frozen=True, slots=True)
class Unit:
    source: str
    options: FrontendOptions
    files: tuple[SourceFile, ...] = ()  # the pipeline file first, then the modules it imports
    builder: BuilderCode | None = None
    steps: tuple[StepCode, ...] = ()  # parallel to pipeline.steps
    pipeline: ir.Pipeline | None = None
    transforms: tuple[CodeRef | None, ...] = ()  # parallel to pipeline.steps
    rule_code: tuple[CodeRef, ...] = ()  # Column expressions of the rules
    diagnostics: tuple[Diagnostic, ...] = ()
    partial: bool = False  # a step the compiler could not read was left out: references may be to it
    broken: tuple[str, ...] = ()  # sibling modules that could not be read (reported already)

    @property
    def main(self) -> SourceFile | None:
        return self.files[0] if self.files else None

    def file(self, module: str) -> SourceFile | None:
        return next((f for f in self.files if f.module == module), None)

    def blocks(self) -> tuple[Block, ...]:
        """Where the builder's names are looked up: its function first, then the module."""
        main = self.main
        local = self.builder.local if self.builder else None
        return tuple(b for b in (local, main.block if main else None) if b is not None)

    def report(self, *diagnostics: Diagnostic) -> Unit:
        return dataclasses.replace(self, diagnostics=(*self.diagnostics, *diagnostics))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def from_error(code: str, error: Exception, span: ir.Span) -> Diagnostic:
    """A diagnostic carrying the runtime builder's own message and suggestions for the same mistake.

    Suggestions that list every step of a big pipeline are left out: "did you mean" says more.
    """
    message = getattr(error, "message", str(error))
    suggestions = [s for s in getattr(error, "suggestions", ()) if len(s) <= 160]
    help = "".join(f"{s}{' ' if s.endswith('?') else '; '}" for s in suggestions).rstrip("; ")
    return Diagnostic(code, message, span, help or None)
