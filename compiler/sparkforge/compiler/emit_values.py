"""Write user values into generated code safely: literals, docstrings and comments.

Input: plain Python values and text from the pipeline. Output: source text that means exactly that
value (via `repr()`), never text pasted into a string template, so quoting cannot break.

    literal(("a", 1.5, None))   ->  "('a', 1.5, None)"
    comment("two\\nlines")       ->  "# two lines"
"""

from __future__ import annotations

import ast
import math
from typing import Any

PLAIN_TYPES = (str, int, float, bool, type(None))


class UnwritableValue(ValueError):
    """A value that has no exact literal in Python source (NaN, an object, ...)."""


def literal(value: Any) -> str:
    """The Python literal for `value`; tuples and lists of plain values included."""
    _check(value)
    text = repr(value)
    # Belt and braces: the literal must read back as the same value.
    if ast.literal_eval(text) != value:
        raise UnwritableValue(f"{value!r} does not round-trip through its repr")
    return text


def _check(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise UnwritableValue(f"{value!r} has no literal in Python source; use a finite number")
    if isinstance(value, tuple | list):
        for item in value:
            _check(item)
        return
    if not isinstance(value, PLAIN_TYPES):
        raise UnwritableValue(
            f"a {type(value).__name__} value ({value!r}) cannot be written into the job; "
            "use a string, number, boolean, None, or a list of those"
        )


def docstring(text: str) -> str:
    """A docstring literal: raw triple quotes when the text allows it (so `\\` stays readable),
    else `repr()`, which is always correct."""
    safe = (
        '"""' not in text
        and not text.endswith(('"', "\\"))
        and all(ch.isprintable() or ch == "\n" for ch in text)
    )
    if safe:
        prefix = "r" if "\\" in text else ""
        return f'{prefix}"""{text}"""'
    return repr(text)


def comment(text: str) -> str:
    """A one-line comment; newlines and control characters become spaces."""
    flat = "".join(ch if ch.isprintable() else " " for ch in text)
    return "# " + " ".join(flat.split())
