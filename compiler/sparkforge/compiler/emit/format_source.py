"""Format generated source with black, under one frozen mode, so the same input gives the same bytes.

Input: generated Python source, or a `GeneratedJob` in units. Output: the black-formatted source, or
`FormatError` when black cannot parse it (a compiler bug: the caller keeps the unformatted text).

    "x = ( 1, )"  ->  "x = (1,)\\n"

Black spends about a third of a millisecond per line, so a 1,000-step job takes it seconds as a whole.
`format_job` formats it unit by unit instead: black's output for a top-level statement depends only on
that statement and on the blank lines above it, which are two between units, so the units formatted
apart and joined two blank lines apart are the bytes black writes for the whole file (a test checks
this on every golden). Units whose formatted text the emitters know skip black, and a small cache
keeps black's output per unit for repeated compiles (a watch loop, the test suite).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from black import format_str
from black.files import find_pyproject_toml, parse_pyproject_toml
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from sparkforge.compiler.emit.job_units import SEPARATOR, GeneratedJob

# Black's defaults: what `black job.py` uses where no pyproject.toml configures it.
JOB_MODE = Mode()
# What makes black look past one statement: `# fmt: off` (or yapf's spelling) runs to a `# fmt: on`
# anywhere below, and the newline style of the whole file is that of its first line. A job with any
# of them is formatted as one text.
_FILE_WIDE = ("fmt:", "yapf:", "\r", "\f", "\v")


class FormatError(Exception):
    """Black rejected the generated source."""


def mode_for(path: str | Path) -> Mode:
    """The mode black uses for a file at `path`: the `[tool.black]` table of the pyproject.toml it
    finds from there (the nearest one upward that has such a table), else its defaults."""
    found = find_pyproject_toml((str(Path(path).resolve().parent),), None)
    config = parse_pyproject_toml(found) if found else {}
    return Mode(
        target_versions={TargetVersion[v.upper()] for v in config.get("target_version", ())},
        line_length=int(config.get("line_length", JOB_MODE.line_length)),
        string_normalization=not config.get("skip_string_normalization", False),
        magic_trailing_comma=not config.get("skip_magic_trailing_comma", False),
        preview=bool(config.get("preview", False)),
    )


def exact_layout(mode: Mode) -> bool:
    """True when the emitters can write black's layout for `mode` themselves (`black_layout`)."""
    return mode.string_normalization and mode.magic_trailing_comma and not mode.preview


def format_source(source: str, mode: Mode = JOB_MODE) -> str:
    try:
        return format_str(source, mode=mode)
    except InvalidInput as exc:
        raise FormatError(f"generated source is not valid Python: {exc}") from exc


@lru_cache(maxsize=2048)
def format_unit(text: str, mode: Mode = JOB_MODE) -> str:
    """`format_source` of one unit, kept for the next compile (`format_unit.cache_clear()`)."""
    return format_source(text, mode)


def _file_wide(text: str) -> bool:
    return text.rstrip().endswith("\\") or any(marker in text for marker in _FILE_WIDE)


def format_job(job: GeneratedJob, mode: Mode = JOB_MODE) -> str:
    """The job formatted unit by unit: the same bytes as `format_source(job.text)`.

    The header is formatted together with the unit after it: the blank lines after an import depend
    on the line that follows (a comment gets one, a `def` two).
    """
    units = job.units
    if len(units) < 2 or any(_file_wide(unit.text) for unit in units):
        return format_source(job.text, mode)
    pieces = [format_unit(units[0].text + SEPARATOR + units[1].text, mode)]
    pieces += [unit.formatted or format_unit(unit.text, mode) for unit in units[2:]]
    return SEPARATOR.join(piece.rstrip("\n") for piece in pieces if piece.strip()) + "\n"
