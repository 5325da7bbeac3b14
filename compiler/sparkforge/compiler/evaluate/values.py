"""Values the frontend computes from source without running it, each remembering where it was written.

Input: nothing (plain data types). Output: `Value`, a Python value (str, number, bool, None, or a list,
tuple or dict of `Value`s) or a marker for code that is kept as source: a PySpark Column expression,
a function, a lambda, a sibling module, or an imported name (`Symbol`).

    {"id": ["not_null"], "ok": [F.col("ok")]}
    -> Value({"id": Value([Value("not_null")]), "ok": Value([Value(COLUMN, node=<F.col("ok")>)])})
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, NoReturn

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.scopes import Block
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.ir import Span

STATIC_HELP = (
    "the compiler reads the pipeline without running it: use a literal, a constant assigned once "
    "at the top of the module, or an f-string of those"
)


class Code(enum.Enum):
    """Markers for values that stay code: the job gets their source text."""

    COLUMN = "a PySpark Column expression"
    FUNCTION = "a function"
    LAMBDA = "a lambda"
    CLASS = "a class"


@dataclass(frozen=True, slots=True)
class Symbol:
    """A name imported from a module the compiler does not read (`pyspark.sql.functions.col`)."""

    name: str


@dataclass(frozen=True, slots=True)
class Builtin:
    """A Python builtin the compiler evaluates itself (`dict`, `sorted`, `range` ...)."""

    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Method:
    """A method of a known str, list, tuple or dict (`",".join`, `RULES.items`)."""

    owner: Value
    name: str


class Frame:
    """The local names of one call of a user function (or of a comprehension, or of one turn of a
    loop that declares steps), looked up before the blocks of the file; `parent` is the enclosing
    frame whose names a comprehension also sees."""

    __slots__ = ("names", "node", "parent")

    def __init__(self, node: cst.CSTNode, names: dict[str, Value] | None = None,
                 parent: Frame | None = None) -> None:  # fmt: skip
        self.node = node  # the function, comprehension or loop
        self.names: dict[str, Value] = names if names is not None else {}
        self.parent = parent

    def get(self, name: str) -> Value | None:
        frame: Frame | None = self
        while frame is not None:
            found = frame.names.get(name)
            if found is not None:
                return found
            frame = frame.parent
        return None

    def function(self) -> Frame:
        """The frame a walrus binds in: the innermost that is not a comprehension."""
        frame = self
        while frame.parent is not None and isinstance(frame.node, _COMPREHENSIONS):
            frame = frame.parent
        return frame


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


@dataclass(frozen=True, slots=True, eq=False)
class Failed:
    """A local name whose value could not be evaluated: the error is raised where it is used."""

    error: CompileError


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """A module beside the pipeline file, imported as a whole (`import transforms`)."""

    module: str


@dataclass(frozen=True, slots=True, eq=False)
class Value:
    """A statically known value and the node (in `file`, inside `local` if any) it came from."""

    data: Any
    node: cst.CSTNode
    file: SourceFile
    local: Block | None = None
    frame: Frame | None = None  # code (a Column) written where these local names are bound

    @property
    def span(self) -> Span:
        return self.file.span(self.node)

    @property
    def is_column(self) -> bool:
        return self.data is Code.COLUMN

    def plain(self) -> Any:
        """The Python value with every nested `Value` unwrapped. Code (a Column, a function ...)
        becomes a stand-in that reads like the user's code in messages: its repr is the source
        text and its type name the one Python would show (`got Column`, `[F.col("x")]`)."""
        data = self.data
        if isinstance(data, list):
            return [item.plain() for item in data]
        if isinstance(data, tuple):
            return tuple(item.plain() for item in data)
        if isinstance(data, dict):
            return {key: item.plain() for key, item in data.items()}
        if isinstance(data, Code | Symbol | ModuleRef | Builtin | Method):
            return _stand_in(data, self.file.code(self.node))
        return data

    def describe(self) -> str:
        """What the value is, for messages: "a str", "a list", "a PySpark Column expression"."""
        if isinstance(self.data, Code):
            return self.data.value
        if isinstance(self.data, Symbol):
            return f"the imported name {self.data.name!r}"
        if isinstance(self.data, ModuleRef):
            return f"the module {self.data.module!r}"
        if isinstance(self.data, Builtin):
            return f"the builtin {self.data.name!r}"
        if isinstance(self.data, Method):
            return f"the method {self.data.name!r} of {self.data.owner.describe()}"
        return "None" if self.data is None else f"a {type(self.data).__name__}"


class _Shown:
    """User code inside a value given to the builder's checks; shown as the code itself."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


# One class per kind, named like the Python type the interpreted builder would see.
_SHOWN: dict[str, type[_Shown]] = {
    name: type(name, (_Shown,), {"__slots__": ()}) for name in ("Column", "function", "type", "module")
}


def _stand_in(data: Code | Symbol | ModuleRef | Builtin | Method, text: str) -> _Shown:
    if isinstance(data, ModuleRef):
        return _SHOWN["module"](text)
    if not isinstance(data, Code):
        return _SHOWN["function"](text)
    return _SHOWN[type_name(data).replace("lambda", "function").replace("class", "type")](text)


def type_name(data: object) -> str:
    """The Python type name a runtime message would show for this data."""
    if isinstance(data, Code):
        return "Column" if data is Code.COLUMN else data.name.lower()
    return type(data).__name__


@dataclass(frozen=True, slots=True, eq=False)
class Env:
    """Where an expression is evaluated: its file and, inside the builder function, that block."""

    file: SourceFile
    local: Block | None = None
    frame: Frame | None = None  # inside a user function's call, a comprehension or a step loop

    @property
    def blocks(self) -> tuple[Block, ...]:
        return (self.local, self.file.block) if self.local else (self.file.block,)

    def value(self, data: Any, node: cst.CSTNode) -> Value:
        return Value(data, node, self.file, self.local, self.frame)

    def column(self, node: cst.CSTNode) -> Value:
        """A PySpark Column expression written at `node` (kept as code)."""
        return Value(Code.COLUMN, node, self.file, self.local, self.frame)


class CompileErrors(CompileError):
    """Several independent problems found in one expression (e.g. two bad items of one dict)."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        super().__init__(diagnostics[0])
        self.diagnostics = diagnostics


def problems(error: CompileError) -> tuple[Diagnostic, ...]:
    """Every diagnostic an evaluation error carries."""
    return error.diagnostics if isinstance(error, CompileErrors) else (error.diagnostic,)


def gather(errors: list[CompileError]) -> None:
    """Raise all `errors` together, if any: all problems of a file are reported at once."""
    if errors:
        raise CompileErrors(tuple(d for e in errors for d in problems(e)))


def fail(
    file: SourceFile, node: cst.CSTNode, code: str, message: str, help: str | None = None
) -> NoReturn:
    """Stop evaluating: report `message` at `node`."""
    raise CompileError(Diagnostic(code, message, file.span(node), help))
