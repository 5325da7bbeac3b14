"""The errors sparkforge raises for user mistakes, each one saying what is wrong and what to do.

Input: a message, and optionally the step and layer at fault and concrete suggestions. Output: an
exception whose `str()` is the message followed by one `hint:` line per suggestion:

    StepError("silver step 'clean': unknown source_bronze 'evnts'", step="clean", layer="silver",
              suggestions=("did you mean 'events'?",))
    -> "silver step 'clean': unknown source_bronze 'evnts'\\n  hint: did you mean 'events'?"

Hierarchy (catch `SparkForgeError` for all of them):

    SparkForgeError
    ├── ValidationError            rules and data validation (None rules, missing rule columns)
    │   └── InvalidRuleError       a malformed rule item; also a StepError of the step declaring it
    ├── PipelineValidationError    the pipeline as a whole (cycles, no steps, unknown sources)
    │   └── ConfigurationError     builder or model options (thresholds, workers, table format)
    ├── StepError                  one step: its name, sources, schema, table, transform
    ├── TableOperationError        reading or writing a table
    └── ExecutionError             a pipeline run that could not complete
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConfigurationError",
    "ExecutionError",
    "InvalidRuleError",
    "PipelineValidationError",
    "SparkForgeError",
    "StepError",
    "TableOperationError",
    "ValidationError",
]


class SparkForgeError(Exception):
    """Base of sparkforge's errors: a message, the step and layer at fault, and suggested fixes."""

    def __init__(
        self,
        message: str,
        *,
        step: str | None = None,
        layer: str | None = None,
        suggestions: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.step = step
        self.layer = str(layer) if layer is not None else None
        # A lone string would otherwise become one hint per character.
        self.suggestions: tuple[str, ...] = (
            (suggestions,) if isinstance(suggestions, str) else tuple(suggestions)
        )

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  hint: {s}" for s in self.suggestions)])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, step={self.step!r}, layer={self.layer!r})"


class ValidationError(SparkForgeError):
    """Rules or data that cannot be validated: `None` rules, a rule column the data lacks."""


class PipelineValidationError(SparkForgeError):
    """The pipeline as a whole is invalid: a dependency cycle, no steps, an unknown source."""


class ConfigurationError(PipelineValidationError):
    """A builder or model option is out of range or of the wrong kind."""


class StepError(SparkForgeError):
    """One step is wrongly declared (name, sources, schema, table, transform) or cannot run."""


class InvalidRuleError(ValidationError, StepError):
    """A rule item that is not one of the accepted forms; it names the step, column and item.

    It is both a `ValidationError` (rules) and a `StepError` (raised when the step is defined), so
    either `except` clause catches it.
    """


class TableOperationError(SparkForgeError):
    """Reading or writing a table failed; `table` names it when known."""

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        step: str | None = None,
        layer: str | None = None,
        suggestions: Sequence[str] = (),
    ) -> None:
        super().__init__(message, step=step, layer=layer, suggestions=suggestions)
        self.table = table


class ExecutionError(SparkForgeError):
    """A pipeline run could not complete (as opposed to a step that failed its validation)."""
