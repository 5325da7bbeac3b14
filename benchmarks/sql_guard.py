"""Measure the SQL rule guard: the hand-written parser against sqlglot's Spark dialect.

Input: the malicious and legitimate corpora of tests/test_security.py. Output (stdout, Markdown):
verdicts of both checkers (same as expected?), whether the reported position points at the culprit
the corpus names, microseconds per rule for both (timeit, interleaved in one run), and the cost of
importing sqlglot. The figures and the decision are in docs/security.md.

    .venv/bin/pip install sqlglot   # only for this measurement; sparkforge does not depend on it
    .venv/bin/python -m benchmarks.sql_guard [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable, Sequence
from pathlib import Path

from sparkforge.security.checks import DEFAULT_ALLOWED_SQL_FUNCTIONS, Problem
from sparkforge.security.sql_guard import check_expression
from sparkforge.security.sql_tokens import UnsafeRule

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_security import LEGITIMATE_SQL, MALICIOUS_SQL  # noqa: E402

Checker = Callable[[str], Problem | None]


def hand_written(text: str) -> Problem | None:
    """Today's guard, called directly (no lru_cache in between)."""
    try:
        check_expression(text, functions=DEFAULT_ALLOWED_SQL_FUNCTIONS, max_length=4096,
                         max_depth=64)
    except UnsafeRule as err:
        return Problem(err.message, err.suggestions, err.token, err.position)
    return None


def with_sqlglot() -> Checker:
    from benchmarks.sqlglot_guard import check_with_sqlglot

    return lambda text: check_with_sqlglot(text, functions=DEFAULT_ALLOWED_SQL_FUNCTIONS)


def points_at(text: str, token: str, problem: Problem | None) -> bool:
    """The problem's position is where the corpus says the culprit is."""
    if problem is None or problem.position is None:
        return False
    return not token or text[problem.position :].upper().startswith(token.upper())


def verdicts(name: str, check: Checker) -> dict[str, object]:
    wrongly_accepted = [t for t, _ in MALICIOUS_SQL if check(t) is None]
    wrongly_rejected = [t for t in LEGITIMATE_SQL if check(t) is not None]
    missed = [t for t, tok in MALICIOUS_SQL if check(t) is not None and not points_at(t, tok, check(t))]
    return {"checker": name, "accepted_bad": wrongly_accepted, "rejected_good": wrongly_rejected,
            "position_off": missed}


def per_rule_us(checks: Sequence[tuple[str, Checker]], rules: Sequence[str], repeat: int
                ) -> dict[str, float]:
    """Median over `repeat` rounds of the mean time per rule; the checkers alternate per round."""
    rounds: dict[str, list[float]] = {name: [] for name, _ in checks}
    for _ in range(repeat):
        for name, check in checks:
            seconds = timeit.timeit(lambda c=check: [c(r) for r in rules], number=20)
            rounds[name].append(seconds / (20 * len(rules)) * 1e6)
    return {name: statistics.median(times) for name, times in rounds.items()}


def import_ms(module: str) -> float:
    """Wall time of a cold `import module` in a fresh interpreter, minus the bare interpreter."""
    def run(code: str) -> float:
        out = subprocess.run([sys.executable, "-c", f"import time; t = time.perf_counter(); {code}; "
                              "print(time.perf_counter() - t)"], capture_output=True, text=True,
                             check=True)
        return float(out.stdout.strip()) * 1000
    return statistics.median(run(f"import {module}") for _ in range(5))


def show(rows: list[dict[str, object]]) -> None:
    print("| checker | malicious accepted | legitimate rejected | position not at the culprit |")
    print("|---|---|---|---|")
    for row in rows:
        cells = [row[k] for k in ("accepted_bad", "rejected_good", "position_off")]
        print(f"| {row['checker']} | " + " | ".join(_cell(c) for c in cells) + " |")


def _cell(items: object) -> str:
    listed = list(items) if isinstance(items, list) else []
    return str(len(listed)) + ("" if not listed else ": " + ", ".join(f"`{t[:40]}`" for t in listed))


SAMPLES = ("amount > 0 amount < 5", "amount $ 1", "CAST(a AS ARRAY<INT>) IS NULL", "amount > 0'",
           "status = 'paid' AND")


def messages(checks: Sequence[tuple[str, Checker]]) -> None:
    """What each checker tells the user about a few bad rules."""
    for text in SAMPLES:
        print(f"\n`{text}`")
        for name, check in checks:
            problem = check(text)
            print(f"- {name}: {problem.describe() if problem else 'accepted'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    checks = [("hand-written", hand_written), ("sqlglot", with_sqlglot())]
    print(f"corpora: {len(MALICIOUS_SQL)} malicious, {len(LEGITIMATE_SQL)} legitimate rules\n")
    show([verdicts(name, check) for name, check in checks])
    messages(checks)
    malicious = [t for t, _ in MALICIOUS_SQL]
    for label, rules in (("legitimate", LEGITIMATE_SQL), ("malicious", malicious)):
        times = per_rule_us(checks, rules, args.repeat)
        print(f"\nµs per {label} rule: " + ", ".join(f"{n} {t:.1f}" for n, t in times.items()))
    print(f"\ncold import: sqlglot {import_ms('sqlglot'):.0f} ms, "
          f"sparkforge.security {import_ms('sparkforge.security'):.0f} ms")


if __name__ == "__main__":
    main()
