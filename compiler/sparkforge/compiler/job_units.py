"""The pieces a job is generated in: top-level statements that black can format one at a time.

Input: the text of each piece, from the emitters. Output: a `GeneratedJob`, whose `text` is the whole
unformatted job (the pieces two blank lines apart) and whose units `format_job` formats separately.
A unit marked `formatted` is already exactly what black writes for it, so black does not see it.

    GeneratedJob((JobUnit('r\"\"\"Pipeline ...'), JobUnit("def bronze_orders() -> StepSpec:...", True)))
    -> text == 'r\"\"\"Pipeline ...\\n\\n\\ndef bronze_orders() -> StepSpec:...'
"""

from __future__ import annotations

from dataclasses import dataclass

# Between two top-level units: two blank lines, as black writes them at module level.
SEPARATOR = "\n\n\n"


@dataclass(frozen=True, slots=True)
class JobUnit:
    text: str
    formatted: bool = False  # the emitter wrote it exactly as black would: no need to run black


@dataclass(frozen=True, slots=True)
class GeneratedJob:
    units: tuple[JobUnit, ...]

    @property
    def text(self) -> str:
        return SEPARATOR.join(unit.text for unit in self.units)
