"""What a run reads and runs, as its command line says: `--source` bindings and `--steps`.

Input: the job's `Plan` and the option values. Output: the bronze inputs bound (step name ->
table or path) and the steps to run (the named ones and everything they need upstream), or a
`ValueError` whose message the job prints as a usage error (exit 2).

    bound_sources(plan, ["orders=parquet:/data/orders"])  ->  {"orders": "parquet:/data/orders"}
    selected_steps(plan, "gold_daily")                    ->  frozenset({"gold_daily", "clean", "orders"})
"""

from __future__ import annotations

from collections.abc import Sequence

from sparkforge_runtime.plan import Plan
from sparkforge_runtime.suggest import did_you_mean


def bound_sources(plan: Plan, items: Sequence[str]) -> dict[str, str]:
    """The `--source NAME=TABLE_OR_PATH` bindings, each of a bronze step, each given once."""
    bronze = [s.name for s in plan.steps if s.info.layer == "bronze"]
    bound: dict[str, str] = {}
    for item in items:
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not name or not value:
            example = f"{bronze[0] if bronze else 'orders'}=raw.orders"
            raise ValueError(f"--source {item!r}: write NAME=TABLE_OR_PATH, e.g. --source {example}")
        if name not in bronze:
            raise ValueError(f"--source {item!r}: {name!r} is not a bronze step{_hint(name, bronze)}")
        if name in bound:
            raise ValueError(f"--source {name}=... is given twice")
        bound[name] = value
    return bound


def selected_steps(plan: Plan, text: str | None) -> frozenset[str] | None:
    """The steps `--steps A,B` names plus everything they need upstream; None: every step."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    after = {s.name: s.info.after for s in plan.steps}
    if not names:
        raise ValueError("--steps needs at least one step name")
    for name in names:
        if name not in after:
            raise ValueError(f"--steps: unknown step {name!r}{_hint(name, list(after))}")
    chosen: set[str] = set()
    while names:
        name = names.pop()
        if name not in chosen and name in after:
            chosen.add(name)
            names.extend(after[name])
    return frozenset(chosen)


def _hint(name: str, known: Sequence[str]) -> str:
    hint = did_you_mean(name, known)
    return f"; {hint}" if hint else (f"; steps: {', '.join(known)}" if known else "")
