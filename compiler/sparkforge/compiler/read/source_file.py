"""One parsed Python file with what the frontend passes look up in it: positions, parents, calls.

Input: the text of a file and the name to show in diagnostics. Output: a `SourceFile` holding the libcst
module, the source range and parent of every node, the calls that may be builder calls, and the names
bound at the top level (`bindings.Block`).

    parse_source("x = f(1)\\n", "pipeline.py", "")
    -> SourceFile(name="pipeline.py", ranges={<Name x>: (1, 0, 1, 1), ...}, calls=(<Call f(1)>,))

Positions, parents and calls come from ONE code-generation pass with a lean state (`_IndexState`):
libcst's PositionProvider, ParentNodeProvider and ScopeProvider each walk the whole tree and together
take several seconds on a 1,000-step pipeline, which the frontend must read in well under that. The
same pass lists the subscripts and calls (`lookups`) that passes search a function body for, and
checks that the file is what libcst writes back, so that the source of a node can be cut out of the
text instead of generated again.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState  # the hook libcst's own position provider uses

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.scopes import (
    Block,
    index_block,
    module_statements,
    walrus_bindings,
)
from sparkforge.ir import Span

_NEWLINE = re.compile(r"\r\n?|\n")

Range = tuple[int, int, int, int]  # start line (1-based), start column, end line, end column

# Whitespace and punctuation: never pointed at, never a parent of a node that is. Skipping them
# halves the indexing work (they are most of the tree).
_UNTRACKED: frozenset[type[cst.CSTNode]] = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.Newline,
    cst.EmptyLine, cst.Comma, cst.AssignEqual, cst.Dot, cst.Colon, cst.Semicolon,
    cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
    cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Comment,
})  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class SourceFile:
    """A parsed file. `module` is its dotted name beside the pipeline ("" for the pipeline itself)."""

    name: str
    module: str
    text: str
    tree: cst.Module
    ranges: Mapping[cst.CSTNode, Range]
    parents: Mapping[cst.CSTNode, cst.CSTNode]
    calls: tuple[cst.Call, ...]
    block: Block
    lookups: tuple[cst.Subscript | cst.Call, ...] = ()  # in the order they are written
    line_starts: tuple[int, ...] | None = None  # where each line starts; None: text != libcst's
    walruses: tuple[cst.NamedExpr, ...] = ()  # every `(name := value)`, in the order written
    # Source text per node, filled on first use: transforms are printed by several passes.
    _code: dict[cst.CSTNode, str] = field(default_factory=dict, repr=False)
    _mutations: dict[str, tuple[cst.CSTNode, ...]] = field(default_factory=dict, repr=False)

    def span(self, node: cst.CSTNode, end: cst.CSTNode | None = None) -> Span:
        """Where `node` (through `end`, if given) was written, whitespace it owns included."""
        line, column, end_line, end_column = self.ranges.get(node, (1, 0, 1, 0))
        if end is not None:
            _, _, end_line, end_column = self.ranges.get(end, (line, column, end_line, end_column))
        return Span(self.name, line, column, end_line, end_column)

    def code(self, node: cst.CSTNode) -> str:
        """The exact source of `node`, without the blank lines above it or the newline after it."""
        text = self._code.get(node)
        if text is None:
            text = self._code[node] = self._generated(node).lstrip("\r\n").rstrip()
        return text

    def _generated(self, node: cst.CSTNode) -> str:
        """What `code_for_node` returns: the node's slice of the file, unless libcst writes it
        otherwise (code inside an indented block comes back dedented, even the continuation lines
        of an expression)."""
        where = self.ranges.get(node)
        if self.line_starts is None or where is None or self._indented(node):
            return self.tree.code_for_node(node)
        line, column, end_line, end_column = where
        return self.text[self._offset(line, column) : self._offset(end_line, end_column)]

    def _offset(self, line: int, column: int) -> int:
        starts = self.line_starts or (0,)
        # Past the end: the newline libcst writes after the last line, and removes, when the file
        # does not end with one.
        return starts[line - 1] + column if line <= len(starts) else len(self.text)

    def _indented(self, node: cst.CSTNode) -> bool:
        """Inside one of the two nodes that indent what they contain."""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, cst.IndentedBlock | cst.Match):
            parent = self.parents.get(parent)
        return parent is not None

    def lookups_in(self, node: cst.CSTNode) -> Sequence[cst.Subscript | cst.Call]:
        """The subscripts and calls written inside `node`, in order, without walking its tree."""
        line, column, end_line, end_column = self.ranges[node]
        first = bisect.bisect_left(self.lookups, (line, column), key=self._start)
        last = bisect.bisect_left(self.lookups, (end_line, end_column), lo=first, key=self._start)
        return self.lookups[first:last]

    def _start(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.ranges[node][:2]

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def mutations(self, name: str) -> tuple[cst.CSTNode, ...]:
        """Where the object `name` holds is changed in place: `name[k] = v`, `del name[k]`,
        `name[k] += v`, `name.update(...)`, `add_rules(name)` as a statement (in any scope; see
        `scope`)."""
        if not self._mutations:
            found: dict[str, list[cst.CSTNode]] = {"": []}
            for node in self.lookups:
                for target in _mutated_names(node, self.parents.get(node)):
                    found.setdefault(target, []).append(node)
            self._mutations.update({k: tuple(v) for k, v in found.items()})
        return self._mutations.get(name, ())

    def scope(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The function, lambda or class whose body holds `node` (None: the module)."""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, cst.FunctionDef | cst.Lambda | cst.ClassDef):
            parent = self.parents.get(parent)
        return parent


_MUTATORS = frozenset({
    "update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove",
    "add", "discard", "sort", "reverse", "__setitem__", "__delitem__",
})  # fmt: skip


def _mutated_names(node: cst.CSTNode, parent: cst.CSTNode | None) -> list[str]:
    """The names whose object `node` changes, or may change: `X[k] = v`, `del X[k]`,
    `X.update(...)`, and `f(X, ...)` as a statement of its own (a call made for its effect, which
    may change its arguments in place)."""
    if isinstance(node, cst.Subscript):
        if isinstance(node.value, cst.Name) and (
            (isinstance(parent, cst.AssignTarget | cst.AugAssign | cst.AnnAssign) and parent.target is node)
            or isinstance(parent, cst.Del)
        ):
            return [node.value.value]
        return []
    if not isinstance(node, cst.Call):
        return []
    func = node.func
    if isinstance(func, cst.Attribute):
        return [func.value.value] if isinstance(func.value, cst.Name) and func.attr.value in _MUTATORS else []
    if isinstance(func, cst.Name) and isinstance(parent, cst.Expr) and func.value not in _PURE:
        return [a.value.value for a in node.args if isinstance(a.value, cst.Name)]
    return []


_PURE = frozenset({"print", "len", "repr", "str", "sorted", "isinstance"})


@dataclass(slots=True)
class _IndexState(CodegenState):
    """Tracks line and column while libcst generates code, records each node's range and parent."""

    line: int = 1
    column: int = 0
    ranges: dict[cst.CSTNode, Range] = field(default_factory=dict)
    parents: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    calls: list[cst.Call] = field(default_factory=list)
    lookups: list[cst.Subscript | cst.Call] = field(default_factory=list)
    walruses: list[cst.NamedExpr] = field(default_factory=list)
    _open: list[tuple[cst.CSTNode, int, int]] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        self.column += sum(len(token) for token in self.indent_tokens)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            return
        pieces = _NEWLINE.split(value)
        self.line += len(pieces) - 1
        self.column = len(pieces[-1])

    def before_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in _UNTRACKED:
            return
        if self._open:
            self.parents[node] = self._open[-1][0]
        self._open.append((node, self.line, self.column))
        if type(node) is cst.Call:
            self.calls.append(node)
            self.lookups.append(node)
        elif type(node) is cst.Subscript:
            self.lookups.append(node)
        elif type(node) is cst.NamedExpr:
            self.walruses.append(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in _UNTRACKED:
            return
        _, line, column = self._open.pop()
        self.ranges[node] = (line, column, self.line, self.column)


def parse_source(text: str, name: str, module: str) -> SourceFile:
    """Parse and index a file; a syntax error becomes a `CompileError` (SF001) at its position."""
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as err:
        raise CompileError(_syntax_error(err, name, text)) from None
    _check_compiles(text, name)
    state = _IndexState(default_indent=tree.default_indent, default_newline=tree.default_newline)
    tree._codegen(state)
    statements = module_statements(tree)
    block = index_block(statements, None, walrus_bindings(state.walruses, statements, state.parents))
    starts = (0, *(m.end() for m in _NEWLINE.finditer(text))) if "".join(state.tokens) == text else None
    return SourceFile(
        name, module, text, tree, state.ranges, state.parents, tuple(state.calls), block,
        tuple(state.lookups), starts, tuple(state.walruses),
    )  # fmt: skip


def _check_compiles(text: str, name: str) -> None:
    """libcst accepts some code CPython rejects when compiling (`nonlocal` of nothing, a late
    `from __future__`, `return` outside a function). Compiling to bytecode runs nothing."""
    try:
        compile(text.removeprefix("\ufeff"), name, "exec", dont_inherit=True)  # a BOM is fine in a file
    except SyntaxError as err:
        raise CompileError(_python_error(err, name)) from None
    except ValueError:  # e.g. NUL bytes, which libcst reported already if it minded
        return


def _python_error(err: SyntaxError, name: str) -> Diagnostic:
    line, column = err.lineno or 1, max((err.offset or 1) - 1, 0)
    end = err.end_offset - 1 if err.end_lineno == line and err.end_offset else column + 1
    span = Span(name, line, column, line, max(end, column + 1))
    return Diagnostic("SF001", f"syntax error: {err.msg}", span, _SYNTAX_HELP)


def _syntax_error(err: cst.ParserSyntaxError, name: str, text: str) -> Diagnostic:
    """CPython's own message and position when it agrees the file is invalid (they are the most
    precise: "'(' was never closed"), else libcst's."""
    try:
        ast.parse(text.removeprefix("\ufeff"))
    except SyntaxError as py:
        return _python_error(py, name)
    message = re.sub(r"^parser error: (error at \d+:\d+: )?", "", err.message).rstrip(".")
    span = Span(name, err.raw_line, err.raw_column, err.raw_line, err.raw_column + 1)
    return Diagnostic("SF001", f"syntax error: {message}", span, _SYNTAX_HELP)


_SYNTAX_HELP = "the compiler reads the file without running it, but Python must be able to parse it"
