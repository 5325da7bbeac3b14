"""Write user values into generated code safely: literals, docstrings and comments.

Input: plain Python values and text from the pipeline. Output: source text that means exactly that
value (via `repr()`), never text pasted into a string template, so quoting cannot break.

    literal(("a", 1.5, None))   ->  "('a', 1.5, None)"
    spell(("a", 1.5, None))     ->  '("a", 1.5, None)'   (as black writes it)
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


def spell(value: Any) -> str | None:
    """The literal for `value` as black writes it, or None when black might write it otherwise.

    Covers what jobs are mostly made of: ASCII strings without backslashes (in double quotes unless
    they contain one, as black prefers), integers, floats without an exponent (black rewrites
    `1e+16` as `1e16`), booleans, None, and tuples and lists of those. Each reads back as `value`.
    Subclasses (an enum member) are left to `literal()`, whose `repr()` is theirs.
    """
    kind = type(value)
    if value is None or kind in (bool, int):
        return repr(value)
    if kind is float:
        text = repr(value)
        return text if math.isfinite(value) and "e" not in text else None
    if kind is str:
        return _spell_string(value)
    if kind in (tuple, list):
        items: list[str] = []
        for item in value:
            spelled = spell(item)
            if spelled is None:
                return None
            items.append(spelled)
        inner = ", ".join(items) + ("," if len(items) == 1 and kind is tuple else "")
        return f"({inner})" if kind is tuple else f"[{inner}]"
    return None


def _spell_string(text: str) -> str | None:
    if not (text.isascii() and text.isprintable()) or "\\" in text:
        return None
    if '"' not in text:
        return f'"{text}"'
    return f"'{text}'" if "'" not in text else None


def _check(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise UnwritableValue(f"{value!r} has no literal in Python source; use a finite number")
    if isinstance(value, tuple | list):
        for item in value:
            _check(item)
        return
    if isinstance(value, dict):
        _check(tuple(value.items()))
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
