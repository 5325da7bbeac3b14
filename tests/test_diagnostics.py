"""Bad-input goldens: each folder of tests/bad_inputs holds one mistake and its rendered diagnostics.

`tests/bad_inputs/<case>/pipeline.py` (plus any module beside it) is read by the frontend;
`expected.txt` is the exact output of `render_all`, paths relative to the case folder, so the text
users see is reviewed like code. `SPARKFORGE_UPDATE_GOLDENS=1 pytest tests/test_diagnostics.py`
rewrites the expected files; a mismatch fails with a unified diff.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest
from sparkforge.compiler.diagnostics import CompileError, render_all
from sparkforge.compiler.read.decode_source import decode_source
from sparkforge.compiler.read.frontend import read_pipeline

ROOT = Path(__file__).resolve().parent
CASES = sorted(p for p in (ROOT / "bad_inputs").iterdir() if (p / "pipeline.py").is_file())
DOCS = ROOT.parent / "docs" / "errors.md"


def shown(path: Path) -> str:
    """A file's text as the CLI shows it under a diagnostic."""
    data = path.read_bytes()
    try:
        return decode_source(data, path.name)
    except CompileError:
        return data.decode("utf-8", errors="replace")


def rendered(case: Path) -> str:
    sources = {p.relative_to(case).as_posix(): shown(p) for p in case.rglob("*.py")}
    try:  # as the CLI reads the file: PEP 263 decoding first
        source = decode_source((case / "pipeline.py").read_bytes(), "pipeline.py")
    except CompileError as err:
        return render_all((err.diagnostic,), sources) + "\n"
    pipeline, diagnostics = read_pipeline(source, "pipeline.py", base_dir=case)
    errors = [d for d in diagnostics if d.is_error]
    assert (pipeline is None) == bool(errors), "a pipeline comes back exactly when nothing is wrong"
    return render_all(diagnostics, sources) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Path) -> None:
    actual = rendered(case)
    expected_file = case / "expected.txt"
    if os.environ.get("SPARKFORGE_UPDATE_GOLDENS") == "1":
        expected_file.write_text(actual)
        return
    expected = expected_file.read_text() if expected_file.exists() else ""
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            f"{case.name}/expected.txt", f"{case.name} (actual)",
        )  # fmt: skip
        pytest.fail("rendered diagnostics differ (SPARKFORGE_UPDATE_GOLDENS=1 rewrites):\n" + "".join(diff))


def test_there_are_many_distinct_mistakes() -> None:
    assert len(CASES) >= 25


def frontend_codes() -> set[str]:
    """The codes the frontend's own modules can emit (the passes and their helpers)."""
    from sparkforge.compiler.read import frontend

    compiler = Path(frontend.__file__).parent.parent
    files = [*(compiler / "read").glob("*.py"), *(compiler / "evaluate").glob("*.py"),
             *(compiler / "check").glob("*.py")]  # fmt: skip
    return {c for f in files for c in re.findall(r'"(SF\d{3})"', f.read_text())}


def test_every_code_is_documented_and_covered() -> None:
    documented = set(re.findall(r"^## (SF\d{3})", DOCS.read_text(), flags=re.MULTILINE))
    used = {code for case in CASES for code in re.findall(r"\[(SF\d{3})\]", (case / "expected.txt").read_text())}
    emitted = frontend_codes()
    assert used <= documented, f"undocumented codes: {sorted(used - documented)}"
    assert emitted <= used, f"codes without a bad-input case: {sorted(emitted - used)}"
    assert emitted <= documented, f"codes missing from docs/errors.md: {sorted(emitted - documented)}"


# What a Python repr of the compiler's own objects looks like: enum members, default object
# reprs, class reprs, and the frontend's internal type names.
INTERNAL_REPRS = re.compile(
    r"<\w+(\.\w+)*: |<[\w.]+ object at 0x|<class '|\bCode\b|\bcst\.|\blibcst\b"
    r"|\b(Symbol|ModuleRef|Value|Binding|Block|Span|Diagnostic|SourceFile|Env|CodeRef)\("
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_internal_object_in_messages(case: Path) -> None:
    """A message speaks of the user's code only: never a repr of one of the compiler's objects."""
    text = (case / "expected.txt").read_text()
    messages = [line for line in text.splitlines() if not re.match(r"\s*\d* \|", line)]  # not source
    leaks = [line for line in messages if INTERNAL_REPRS.search(line)]
    assert not leaks, leaks
