"""One home per fact: the did-you-mean policy (`sparkforge.suggest`) and the preset table."""

from __future__ import annotations

import ast
from pathlib import Path

from sparkforge import presets, suggest
from sparkforge.compiler import signatures

PACKAGE = Path(suggest.__file__).resolve().parent


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


def test_suggest_imports_nothing_from_the_package() -> None:
    tree = ast.parse((PACKAGE / "suggest.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.startswith("sparkforge")}


def test_no_other_module_of_the_public_package_calls_difflib() -> None:
    users = [p.name for p in PACKAGE.glob("*.py") if "difflib" in p.read_text()]
    assert users == ["suggest.py"]


def test_builder_and_compiler_read_one_preset_table() -> None:
    assert signatures.PRESETS is presets.PRESETS
    assert set(presets.PRESETS) == {"for_development", "for_production", "for_testing"}
