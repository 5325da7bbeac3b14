"""The pieces a job is generated in: top-level statements that black can format one at a time.

Input: the text of each piece, from the emitters. Output: a `GeneratedJob`, whose `text` is the whole
unformatted job (the pieces two blank lines apart) and whose units `format_job` formats separately.
A unit whose `formatted` text the emitter already knows (black's output for it) skips black.

    GeneratedJob((JobUnit('r\"\"\"Pipeline ...'), JobUnit("def f():\\nreturn (\\n1)", "def f():...")))
    -> text == 'r\"\"\"Pipeline ...\\n\\n\\ndef f():\\nreturn (\\n1)'
"""

from __future__ import annotations

from dataclasses import dataclass

# Between two top-level units: two blank lines, as black writes them at module level.
SEPARATOR = "\n\n\n"


@dataclass(frozen=True, slots=True)
class JobUnit:
    text: str  # as the emitters have always written it: what black formats
    formatted: str | None = None  # black's output for `text`, without the final newline, if known


@dataclass(frozen=True, slots=True)
class GeneratedJob:
    units: tuple[JobUnit, ...]

    @property
    def text(self) -> str:
        return SEPARATOR.join(unit.text for unit in self.units)
