"""Write the code the emitters generate in black's own layout too, so that black need not see it.

Input: an emitter that writes one job unit through `Code`. Output: the unit (`write`): its text in the
plain layout, the text the emitters have always written (values as `repr()`, argument lists on one
line), and the same code in black's layout when that layout is certain: every value has black's
spelling (`emit_values.spell`), no user code is in it, and every line is ASCII within the line
length. The formatter then uses the second instead of running black on the first.

    def emit(code): code.tuple_of(0, "x = (", [code.call(1, "f", [code.literal("a")])], ")")
    write(emit)  ->  JobUnit(text="x = (\\n    f('a'),\\n)", formatted='x = (f("a"),)')

Black's rules followed here (tests/test_compile_speed.py holds them to black on every golden):
- a bracket whose last item has a trailing comma is split one item per line (the "magic trailing
  comma"), except a one-item tuple, which black joins when it fits;
- a call that does not fit moves its arguments to the next line, or one per line (adding a trailing
  comma) when they do not fit there either;
- a tuple that does not fit is split one item per line, with a trailing comma;
- a lone string on its line (a docstring) is never split, however long.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sparkforge.compiler.emit.job_units import JobUnit
from sparkforge.compiler.emit.literals import docstring, literal, spell

INDENT = "    "
# Comments black reads as instructions (or as type annotations): left for black to judge.
_DIRECTIVE = re.compile(r"fmt|yapf|type:", re.IGNORECASE)


@dataclass(slots=True)
class Code:
    plain: bool = False  # the plain layout: the emitters' own text, for black to lay out
    lines: list[str] = field(default_factory=list)
    exact: bool = True  # so far, exactly what black writes
    line_length: int = 88

    def __post_init__(self) -> None:
        self.exact = not self.plain

    def fits(self, line: str) -> bool:
        """Within black's line length; ASCII, so that the length in characters is the width."""
        return len(line) <= self.line_length and line.isascii()

    def literal(self, value: Any) -> str:
        """`value` as `repr()` writes it (plain layout) or as black does (`exact` unless unknown)."""
        spelled = spell(value)
        if spelled is None:
            self.exact = False
            return literal(value)
        return repr(value) if self.plain else spelled  # plain data: its repr() reads back as is

    def add(self, depth: int, text: str, *, overflow: bool = False) -> None:
        line = INDENT * depth + text
        self.exact = self.exact and line.isascii() and (overflow or self.fits(line))
        self.lines.append(line)

    def comment(self, depth: int, text: str) -> None:
        self.exact = self.exact and not _DIRECTIVE.search(text)
        self.add(depth, text)

    def docstring(self, depth: int, text: str) -> None:
        """A one-line docstring; black strips it and pads quotes and backslashes at its ends."""
        written = docstring(text)
        plain = text == text.strip() and "\n" not in text and '"' not in text
        self.exact = self.exact and plain and written == f'"""{text}"""'
        self.add(depth, written, overflow=True)

    def doc(self, depth: int, lines: Sequence[str]) -> None:
        """A docstring of several lines, closing quotes on their own line: black keeps it as is
        when no line has trailing blanks, quotes or backslashes."""
        if len(lines) == 1:
            self.docstring(depth, lines[0])
            return
        self.exact = self.exact and all(
            line == line.strip() and '"' not in line and "\\" not in line for line in lines
        )
        self.add(depth, f'"""{lines[0]}', overflow=True)
        for line in lines[1:]:
            self.lines.append(INDENT * depth + line if line else "")
        self.add(depth, '"""')

    def statement(self, depth: int, head: str, args: Sequence[str], close: str) -> None:
        """`head`, the arguments, `close`: one line when it fits, else the arguments on a line of
        their own, else one per line with a trailing comma (black's right-hand split). A `close`
        with more than the bracket is left to black when the line does not fit."""
        joined = ", ".join(args)
        if self.plain or self.fits(INDENT * depth + head + joined + close):
            self.add(depth, head + joined + close)
            return
        self.exact = self.exact and close == ")" and bool(args)
        self.add(depth, head)
        if self.fits(INDENT * (depth + 1) + joined):
            self.add(depth + 1, joined)
        else:
            for arg in args:
                self.add(depth + 1, f"{arg},")
        self.add(depth, close)

    def keyword(self, depth: int, key: str, value: Any) -> None:
        """`key=value,`, an argument of a call split one argument per line."""
        line = f"{key}={self.literal(value)},"
        if self.plain or self.fits(INDENT * depth + line) or not _is_sequence(value):
            self.add(depth, line)
            return
        self.add(depth, f"{key}={'(' if isinstance(value, tuple) else '['}")
        for item in value:
            self.add(depth + 1, f"{self.literal(item)},")
        self.add(depth, f"{')' if isinstance(value, tuple) else ']'},")

    def call(self, depth: int, name: str, args: Sequence[str]) -> list[str]:
        """A call without a trailing comma, an item of a tuple at `depth`: its lines relative to
        `depth`, without the comma that `tuple_of` adds after it."""
        joined = ", ".join(args)
        if self.plain or self.fits(INDENT * depth + f"{name}({joined}),"):
            return [f"{name}({joined})"]
        if self.fits(INDENT * (depth + 1) + joined):
            return [f"{name}(", INDENT + joined, ")"]
        return [f"{name}(", *(f"{INDENT}{arg}," for arg in args), ")"]

    def tuple_of(self, depth: int, head: str, items: Sequence[Sequence[str]], close: str) -> None:
        """`head`, the items one per line with a trailing comma each, `close`: a tuple written with
        a trailing comma. An item is its lines relative to `depth + 1`."""
        if not items:
            self.add(depth, head + close)
            return
        joined = f"{head}{items[0][0]},{close}"
        if not self.plain and len(items) == 1 and len(items[0]) == 1 and self.fits(INDENT * depth + joined):
            self.add(depth, joined)
            return
        self.add(depth, head)
        for item in items:
            for line in item[:-1]:
                self.add(depth + 1, line)
            self.add(depth + 1, f"{item[-1]},")
        self.add(depth, close)

    def row(self, depth: int, names: Sequence[str], note: str) -> None:
        """`(a, b),  # note`: a tuple of names in a tuple, split one name per line when too long."""
        members = f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"
        line = f"{members},  {note}"
        if self.plain or self.fits(INDENT * depth + line):
            self.add(depth, line)
            return
        self.add(depth, "(")
        for name in names:
            self.add(depth + 1, f"{name},")
        self.add(depth, f"),  {note}")


def _is_sequence(value: Any) -> bool:
    """A tuple or list black splits one item per line (a one-item tuple is left to black)."""
    return isinstance(value, tuple | list) and len(value) > 1


def write(emit: Callable[[Code], None], line_length: int | None = 88) -> JobUnit:
    """One unit in the plain layout, and in black's layout when that is certain (`line_length`
    None: black's layout is not wanted, black formats the unit)."""
    plain = Code(plain=True)
    emit(plain)
    if line_length is None:
        return JobUnit("\n".join(plain.lines))
    code = Code(line_length=line_length)
    emit(code)
    return JobUnit("\n".join(plain.lines), "\n".join(code.lines) if code.exact else None)
