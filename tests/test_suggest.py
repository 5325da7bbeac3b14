"""One home per fact: the did-you-mean policy (`sparkforge.suggest`) and the preset table."""

from __future__ import annotations

import ast
from pathlib import Path

import sparkforge_runtime.suggest
from sparkforge import presets, suggest
from sparkforge.compiler.read import signatures

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(sparkforge_runtime.suggest.__file__).resolve()


def test_closest_and_did_you_mean() -> None:
    assert suggest.closest("silver_order", ["silver_orders", "gold_daily"]) == "silver_orders"
    assert suggest.did_you_mean("silver_order", ["silver_orders"]) == "did you mean 'silver_orders'?"
    assert suggest.did_you_mean("zzz", ["silver_orders"]) is None
    assert suggest.hints("zzz", ["silver_orders"]) == ()
    assert suggest.hints("evnts", ["events"]) == ("did you mean 'events'?",)


def test_a_typo_needs_to_be_closer_than_a_suggestion() -> None:
    assert suggest.SUGGEST_CUTOFF < suggest.TYPO_CUTOFF
    assert suggest.looks_like_typo("notnull", ["not_null", "positive"]) == "not_null"
    assert suggest.closest("activ", ["active"]) == "active"
    assert suggest.looks_like_typo("is_live", ["positive", "not_null"]) is None


def test_suggest_imports_nothing_but_the_standard_library() -> None:
    tree = ast.parse(HOME.read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported <= {"__future__", "difflib", "collections.abc"}
    assert suggest.did_you_mean is sparkforge_runtime.suggest.did_you_mean


def test_no_other_module_matches_names_itself() -> None:
    """One home: the compiler, the builder and the job's command line all ask `suggest`."""
    modules = [*(ROOT / "compiler").rglob("*.py"), *(ROOT / "runtime").rglob("*.py")]
    users = [p.resolve() for p in modules if "get_close_matches" in p.read_text(errors="replace")]
    assert users == [HOME]


def test_builder_and_compiler_read_one_preset_table() -> None:
    assert signatures.PRESETS is presets.PRESETS
    assert set(presets.PRESETS) == {"for_development", "for_production", "for_testing"}
