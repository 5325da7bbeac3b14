"""Test your pipeline's transforms and rules in pytest: `sparkforge.testing`.

Input: your pipeline's `build(spark)` function (or its builder, or `to_pipeline()`), a step name and
small DataFrames. Output: what that one step makes of them (valid rows, invalid rows with the rules
they failed, rate, per-rule counts, threshold verdict), without writing any table; and an equality
assert for DataFrames whose failure lists the missing and unexpected rows.

    result = run_step(build, "clean_orders", bronze=orders_df)
    assert result.passed and result.rules["amount:positive"] == 1
    assert_frame_equal(result.valid, expected_df)

The pytest plugin (installed with sparkforge, opt-in) offers a session-scoped `sparkforge_spark`
fixture: a local Spark session with Delta Lake on 127.0.0.1, started only when a test asks for it.
See docs/testing.md. Names load on first use, so that pytest loading the plugin imports no Spark.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sparkforge.testing.frames import assert_frame_equal, frame_differences
    from sparkforge.testing.steps import StepResult, run_step

_EXPORTS = {
    "StepResult": "sparkforge.testing.steps",
    "run_step": "sparkforge.testing.steps",
    "assert_frame_equal": "sparkforge.testing.frames",
    "frame_differences": "sparkforge.testing.frames",
}
__all__ = ["StepResult", "assert_frame_equal", "frame_differences", "run_step"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sparkforge.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
