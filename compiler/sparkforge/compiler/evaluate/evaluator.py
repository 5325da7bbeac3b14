"""What the static evaluator's parts share: the evaluator itself as a protocol, its budget, and the
signals that `return`, `break` and `continue` raise while a function body runs.

Input: nothing. Output: the types every module of `evaluate` may import without importing the
`Resolver` (which imports them all): the modules stay a tree, with the resolver at its top.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol

import libcst as cst

from sparkforge.compiler.evaluate.values import STATIC_HELP, Env, Value, fail

STEP_BUDGET = 20_000  # statements, calls and loop turns per top-level evaluation
MAX_DEPTH = 40  # nested calls of project functions


class Budget:
    """What one evaluation may still spend; shared by the calls it makes. Each call, builtin or
    comprehension reached from a builder argument (depth 0) starts a fresh budget."""

    __slots__ = ("depth", "left")

    def __init__(self) -> None:
        self.left = STEP_BUDGET
        self.depth = 0

    @contextlib.contextmanager
    def entered(self, env: Env, node: cst.CSTNode) -> Iterator[None]:
        if self.depth == 0:
            self.left = STEP_BUDGET
        if self.depth >= MAX_DEPTH:
            fail(env.file, node, "SF111", f"calls nested more than {MAX_DEPTH} deep (recursion?)",
                 STATIC_HELP)
        self.depth += 1
        try:
            self.spend(env, node)
            yield
        except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError) as err:
            # Python would raise here too (sorted([1, "a"]), d.get() ...): say so, never crash
            fail(env.file, node, "SF111", f"evaluating this raises {type(err).__name__}: {err}",
                 "the interpreted builder would fail the same way; fix the call")
        finally:
            self.depth -= 1

    def spend(self, env: Env, node: cst.CSTNode) -> None:
        self.left -= 1
        if self.left < 0:
            fail(env.file, node, "SF111", f"evaluating this takes more than {STEP_BUDGET} steps; "
                 "the compiler stops there (a loop or recursion too long to read statically)",
                 "compute the value with less work, or write it out as a literal")


class Evaluator(Protocol):
    """What the parts of the evaluator call back into: `Resolver` is the implementation."""

    budget: Budget

    def value(self, node: cst.CSTNode, env: Env) -> Value: ...

    def is_shared(self, value: Value) -> bool: ...


class Return(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class Break(Exception):
    pass


class Continue(Exception):
    pass
