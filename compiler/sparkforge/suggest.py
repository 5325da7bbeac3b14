"""'Did you mean ...?': one similarity policy for the builder, the compiler and compiled jobs.

The functions live in `sparkforge_runtime.suggest`, which jobs ship with; this is the same module
under the package's own name.
"""

from __future__ import annotations

from sparkforge_runtime.suggest import (
    SUGGEST_CUTOFF,
    TYPO_CUTOFF,
    closest,
    did_you_mean,
    hints,
    looks_like_typo,
)

__all__ = ["SUGGEST_CUTOFF", "TYPO_CUTOFF", "closest", "did_you_mean", "hints", "looks_like_typo"]
