"""Errors raised at run time. Each message names the step or table at fault and what to do."""

from __future__ import annotations


class RuntimeStepError(Exception):
    """Base of the runtime's errors."""


class SourceError(RuntimeStepError):
    """A bronze input cannot be found or read."""


class TableWriteError(RuntimeStepError):
    """A table write failed; Delta left the table as it was."""


class StepInputError(RuntimeStepError, KeyError):
    """A transform read a step it did not declare."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class RuleColumnError(RuntimeStepError):
    """A rule names a column that the DataFrame lacks."""


class TransformError(RuntimeStepError):
    """A transform raised, or returned something that is not a DataFrame."""


class ThresholdError(RuntimeStepError):
    """The valid rate of a step is below its threshold; nothing was written."""


class CannotRun(RuntimeStepError):
    """The run cannot start: another run holds the pipeline's lease, or an option needs what is
    not installed. A job says so in one line and exits 2."""
