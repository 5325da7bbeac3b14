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


def describe(exc: BaseException) -> str:
    """One line for any failure: Spark's error class and the first line of its message
    (`[UNRESOLVED_COLUMN.WITH_SUGGESTION] ...`), never a JVM stack; `TypeError: ...` for Python."""
    if isinstance(exc, RuntimeStepError):
        return _first_line(str(exc))
    condition = getattr(exc, "getCondition", None) or getattr(exc, "getErrorClass", None)
    klass = condition() if callable(condition) else None
    java = getattr(exc, "java_exception", None)
    if java is not None:
        text = str(java.getMessage() or "")
        name = str(java.getClass().getSimpleName())
        return _first_line(text) if text.startswith("[") else f"{name}: {_first_line(text)}"
    text = _first_line(str(exc))
    if klass and not text.startswith("["):
        return f"[{klass}] {text}"
    return text if klass else f"{type(exc).__name__}: {text}"


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "(no message)"
