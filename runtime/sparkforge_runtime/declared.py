"""A transform's inputs as its step declares them (`silvers`, `prior_silvers`).

Input: the DataFrames of the declared upstream steps. Output: a dict of them whose missing key is a
`StepInputError` saying which argument of which step to add the name to, not a bare `KeyError`.

    run.declared({"clean": df}, argument="source_silvers")["orders"]
        ->  StepInputError("step 'daily' reads 'orders', which it does not declare; add 'orders' to ...")
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import DataFrame

from sparkforge_runtime.errors import StepInputError


class DeclaredInputs(dict[str, DataFrame]):
    """`silvers` / `prior_silvers`: reading an undeclared step says which argument to add."""

    def __init__(self, data: Mapping[str, DataFrame], *, step: str, argument: str) -> None:
        super().__init__(data)
        self._step, self._argument = step, argument

    def __missing__(self, key: str) -> DataFrame:
        raise StepInputError(
            f"step {self._step!r} reads {key!r}, which it does not declare; add {key!r} to "
            f"{self._argument} of step {self._step!r}"
        )
