"""'Did you mean ...?': the known name closest to a misspelt one, under one similarity policy.

Input: a name and the names it may have meant. Output: the closest of them, or None.

    did_you_mean("silver_order", ["silver_orders", "gold_daily"]) -> "did you mean 'silver_orders'?"

The policy, in one place: `difflib`'s similarity ratio, the single best match, offered as a
suggestion from SUGGEST_CUTOFF up. A stricter TYPO_CUTOFF applies where a near miss is *refused*
rather than merely annotated, because the word is valid as it stands (a bare word in a rules list
is also a SQL rule over a boolean column, so `activ` must not be taken for a misspelt shorthand).
Plain functions over strings; this module imports nothing, so the compiler, the builder and the
job's command line all use it (`sparkforge.suggest` is the same module).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["SUGGEST_CUTOFF", "TYPO_CUTOFF", "closest", "did_you_mean", "hints", "looks_like_typo"]

SUGGEST_CUTOFF = 0.6  # difflib's default: close enough to be worth mentioning
TYPO_CUTOFF = 0.75  # close enough to refuse a word that would otherwise be valid


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most similar to `name`, if any is similar enough to suggest."""
    return _best(name, candidates, SUGGEST_CUTOFF)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """`"did you mean 'x'?"` for the closest candidate, or None."""
    match = closest(name, candidates)
    return None if match is None else f"did you mean {match!r}?"


def hints(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """`did_you_mean` as a tuple of zero or one hint, to splice into a list of suggestions."""
    hint = did_you_mean(name, candidates)
    return () if hint is None else (hint,)


def looks_like_typo(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate that `name` is almost certainly a misspelling of (TYPO_CUTOFF), or None."""
    return _best(name, candidates, TYPO_CUTOFF)


def _best(name: str, candidates: Iterable[str], cutoff: float) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None
