"""Golden tests: each `tests/cases/<form>/pipeline.py` must compile to exactly its `job.py`.

One folder per supported builder form, plus every `examples/*/pipeline.py`. Rewrite the expected jobs
with `SPARKFORGE_UPDATE_GOLDENS=1 pytest tests/test_goldens.py` (or `make goldens`) and review the diff.
Every golden must also parse, be black-stable, be ruff-clean and import only what a job may import.
"""

from __future__ import annotations

import ast
import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sparkforge.compiler.api import CompileOptions, compile_source
from sparkforge.compiler.diagnostics import render_all
from sparkforge.compiler.emit.format_source import format_source
from sparkforge.compiler.read.decode_source import decode_source

ROOT = Path(__file__).resolve().parent.parent
UPDATE = os.environ.get("SPARKFORGE_UPDATE_GOLDENS") == "1"
CASES = sorted(
    [*(ROOT / "tests" / "cases").glob("*/pipeline.py"), *(ROOT / "examples").glob("*/pipeline.py")]
)
ALLOWED_IMPORTS = {"pyspark", "delta", "sparkforge_runtime", *sys.stdlib_module_names}
# The project's rule set; import order (I) is left out because user imports are copied verbatim,
# each under the comment naming its line, which isort would merge into one block.
RUFF_RULES = "E,F,W,B,UP,SIM,RUF"


def _case_id(pipeline: Path) -> str:
    return pipeline.parent.relative_to(ROOT).as_posix()


def compile_case(pipeline: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Compile as `sparkforge compile <case>/pipeline.py -o <case>/job.py` from the repo root does."""
    monkeypatch.chdir(ROOT)
    filename = pipeline.relative_to(ROOT).as_posix()
    text = decode_source(pipeline.read_bytes(), filename)  # as the CLI reads it (PEP 263)
    result = compile_source(text, filename, CompileOptions(source_path="pipeline.py"))
    assert result.ok and result.source, render_all(result.diagnostics, {filename: text})
    return result.source


def imported_modules(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("pipeline", CASES, ids=_case_id)
def test_golden(pipeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = compile_case(pipeline, monkeypatch)
    expected_path = pipeline.with_name("job.py")
    if UPDATE:
        expected_path.write_text(compiled, "utf-8")
    assert expected_path.is_file(), f"no golden; run SPARKFORGE_UPDATE_GOLDENS=1 pytest {__file__}"
    expected = expected_path.read_text("utf-8")
    if compiled != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            compiled.splitlines(keepends=True),
            fromfile=f"{_case_id(pipeline)}/job.py (golden)",
            tofile=f"{_case_id(pipeline)}/job.py (compiled)",
        )
        pytest.fail("compiled job differs from the golden:\n" + "".join(diff), pytrace=False)
    assert format_source(compiled) == compiled, "golden is not black-stable"
    assert imported_modules(compiled) <= ALLOWED_IMPORTS, imported_modules(compiled) - ALLOWED_IMPORTS
    assert "from __future__ import annotations" in compiled


def test_goldens_are_ruff_clean() -> None:
    jobs = [str(p.with_name("job.py")) for p in CASES if p.with_name("job.py").is_file()]
    assert jobs
    command = [
        sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", RUFF_RULES,
        "--ignore", "E501", "--target-version", "py311", *jobs,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_there_is_a_case_per_form() -> None:
    forms = {p.parent.name for p in CASES if p.parent.parent.name == "cases"}
    assert len(forms) >= 12, forms
