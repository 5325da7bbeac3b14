"""Format generated source with black, under one frozen mode, so the same input gives the same bytes.

Input: generated Python source. Output: the black-formatted source, or `FormatError` when black
cannot parse it (a compiler bug: the caller keeps the unformatted text for the report).

    "x = ( 1, )"  ->  "x = (1,)\\n"
"""

from __future__ import annotations

from black import format_str
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

# One mode for every job (black's Mode is itself frozen): the project's line length, Python 3.11.
JOB_MODE = Mode(
    target_versions={TargetVersion.PY311},
    line_length=100,
    string_normalization=True,
    magic_trailing_comma=True,
    preview=False,
)


class FormatError(Exception):
    """Black rejected the generated source."""


def format_source(source: str, mode: Mode = JOB_MODE) -> str:
    try:
        return format_str(source, mode=mode)
    except InvalidInput as exc:
        raise FormatError(f"generated source is not valid Python: {exc}") from exc
