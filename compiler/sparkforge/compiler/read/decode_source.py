"""Turn the bytes of a Python file into its text the way CPython does (PEP 263), or say why not.

Input: the file's bytes and the name to show in diagnostics. Output: the text (a UTF-8 BOM removed),
decoded with the encoding its coding declaration names, UTF-8 without one. A file CPython would
refuse is SF002 at the line and column of the problem: a BOM with a declaration of another encoding,
an unknown encoding, or bytes that are not valid in the encoding.

    b"# -*- coding: latin-1 -*-\\nX = 'caf\\xe9'\\n"   ->   "# -*- coding: latin-1 -*-\\nX = 'café'\\n"
    b"X = 'caf\\xe9'\\n"                               ->   SF002 at 1:8 (not UTF-8, no declaration)
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from typing import NoReturn

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.ir import Span

_HELP = ("save the file as UTF-8, or declare its encoding on the first or second line: "
         "`# -*- coding: latin-1 -*-`")  # fmt: skip
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]")


def decode_source(data: bytes, name: str) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as err:
        line = _cookie_line(data)
        if line and data.startswith(codecs.BOM_UTF8):
            _fail(name, line, 0, "the file starts with a UTF-8 byte order mark but its coding "
                  "declaration names another encoding (Python refuses such a file)")
        if line and "unknown encoding" in (err.msg or ""):
            _fail(name, line, 0, err.msg)
        encoding = "utf-8"  # undecodable bytes on the first lines: say where, below
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1)
        why = "UTF-8 (the default without a coding declaration)" if encoding == "utf-8" else encoding
        _fail(name, line, column, f"byte 0x{data[err.start]:02x} is not valid {why}")


def _fail(name: str, line: int, column: int, problem: str) -> NoReturn:
    raise CompileError(Diagnostic("SF002", f"cannot read {name}: {problem}",
                                  Span(name, line, column, line, column + 1), _HELP))


def _cookie_line(data: bytes) -> int:
    """The line of the coding declaration (1 or 2; 0 when there is none)."""
    lines = data.removeprefix(codecs.BOM_UTF8).splitlines()[:2]
    return next((i + 1 for i, line in enumerate(lines) if _COOKIE.match(line)), 0)
