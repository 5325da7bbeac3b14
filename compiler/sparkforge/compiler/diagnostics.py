"""Diagnostics: what the compiler reports about a user's file, rendered like a compiler would.

Input: a code, a message, a `Span` and optional help. Output: text such as

    pipeline.py:12:5: error[SF201]: unknown step 'silver_order' in depends_on
       |
    12 |     depends_on=["silver_order"],
       |                 ^^^^^^^^^^^^^^
       = help: did you mean 'silver_orders'?
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sparkforge.ir import Span


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    help: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class CompileError(Exception):
    """Raised inside a pass to report one diagnostic and stop that pass."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def render(diagnostic: Diagnostic, source: str) -> str:
    """One diagnostic with its source line and a caret under the span."""
    span = diagnostic.span
    head = f"{span}: {diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"
    lines = source.splitlines()
    if not 1 <= span.line <= len(lines):
        return head + (f"\n  = help: {diagnostic.help}" if diagnostic.help else "")
    text = lines[span.line - 1]
    width = len(str(span.line))
    end = span.end_column if span.end_line == span.line and span.end_column > span.column else 0
    carets = "^" * max(1, (end or len(text)) - span.column) if end else "^"
    gutter = " " * width
    out = [head, f"{gutter} |", f"{span.line} | {text}", f"{gutter} | {' ' * span.column}{carets}"]
    if diagnostic.help:
        out.append(f"{gutter} = help: {diagnostic.help}")
    return "\n".join(out)


def render_all(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    """Every diagnostic in file order, each rendered against its own file's text."""
    ordered = sorted(diagnostics, key=lambda d: (d.span.file, d.span.line, d.span.column, d.code))
    return "\n\n".join(render(d, sources.get(d.span.file, "")) for d in ordered)
