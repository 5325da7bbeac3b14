"""The security errors, and how a `Problem` found by a pure check becomes one.

Input: a `checks.Problem` (what is wrong, where, the fix). Output: `InputValidationError` for a
name, `SQLInjectionError` for a SQL rule; `str()` of the latter shows the rule with a caret.
"""

from __future__ import annotations

from collections.abc import Sequence

from sparkforge.exceptions import SparkForgeError
from sparkforge.security.checks import Problem

__all__ = ["InputValidationError", "SQLInjectionError", "SecurityError", "name_error", "sql_error"]


class SecurityError(SparkForgeError):
    """Base of the security errors: a message plus concrete suggestions for the fix."""

    def __init__(self, message: str, *, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message, suggestions=suggestions)


class InputValidationError(SecurityError):
    """A table or schema name (or other identifier) that is not safe to use."""


class SQLInjectionError(SecurityError):
    """A SQL rule string that is not exactly one safe boolean expression.

    `message` is one line (what and where); `str()` adds the rule with a caret under `token`.
    """

    def __init__(
        self,
        message: str,
        *,
        suggestions: Sequence[str] = (),
        token: str | None = None,
        position: int | None = None,
        expression: str | None = None,
    ) -> None:
        super().__init__(message, suggestions=suggestions)
        self.token = token
        self.position = position  # 0-based character offset into the expression
        self.expression = expression

    def __str__(self) -> str:
        text, pos = self.expression, self.position
        if text is None or pos is None or len(text) > 200 or "\n" in text:
            return super().__str__()
        caret = " " * pos + "^" * max(1, len(self.token or ""))
        return "\n".join([self.message, f"    {text}", f"    {caret}",
                          *(f"  help: {s}" for s in self.suggestions)])


def name_error(problem: Problem) -> InputValidationError:
    """The error for a refused table or schema name."""
    return InputValidationError(problem.message, suggestions=problem.suggestions)


def sql_error(problem: Problem, expression: object) -> SQLInjectionError:
    """The error for a refused SQL rule; the message ends with the 1-based position."""
    return SQLInjectionError(
        problem.describe(), suggestions=problem.suggestions, token=problem.token,
        position=problem.position, expression=expression if isinstance(expression, str) else None,
    )
