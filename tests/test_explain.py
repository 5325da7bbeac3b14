"""`sparkforge explain`: goldens for every example and case, one source with the job's `--dry-run`,
`--step`, errors and exit codes, and no JVM.

`tests/explain/<cases|examples>/<name>.txt` hold what `sparkforge explain <name>/pipeline.py` prints;
`SPARKFORGE_UPDATE_GOLDENS=1 pytest tests/test_explain.py` (or `make goldens`) rewrites them, and a
mismatch fails with a unified diff.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result
from sparkforge.compiler import cli
from sparkforge.compiler.api import read_plan
from sparkforge.compiler.read.decode_source import decode_source
from sparkforge.step_plan import plan_step
from sparkforge_runtime.plan import Mode
from sparkforge_runtime.report import action

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = ROOT / "tests" / "explain"
UPDATE = os.environ.get("SPARKFORGE_UPDATE_GOLDENS") == "1"
EXAMPLES = sorted((ROOT / "examples").glob("*/pipeline.py"))
CASES = sorted([*(ROOT / "tests" / "cases").glob("*/pipeline.py"), *EXAMPLES])
SPARKFORGE = Path(sys.executable).with_name("sparkforge")


def _case_id(pipeline: Path) -> str:
    return pipeline.parent.relative_to(ROOT).as_posix()


def golden_path(pipeline: Path) -> Path:
    group = "examples" if pipeline.parent.parent.name == "examples" else "cases"
    return GOLDENS / group / f"{pipeline.parent.name}.txt"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, ["explain", *map(str, args)], catch_exceptions=False)


def explain(pipeline: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> str:
    monkeypatch.chdir(ROOT)
    result = invoke(pipeline.relative_to(ROOT).as_posix(), *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("pipeline", CASES, ids=_case_id)
def test_golden_explain(pipeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = explain(pipeline, monkeypatch)
    expected_path = golden_path(pipeline)
    if UPDATE:
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(text, "utf-8")
    assert expected_path.is_file(), "no golden; run SPARKFORGE_UPDATE_GOLDENS=1 pytest " + __file__
    expected = expected_path.read_text("utf-8")
    if expected != text:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"{expected_path.relative_to(ROOT)} (golden)", tofile="sparkforge explain",
        )  # fmt: skip
        pytest.fail("explain differs (SPARKFORGE_UPDATE_GOLDENS=1 rewrites):\n" + "".join(diff))


def test_no_explain_golden_without_its_pipeline() -> None:
    expected = {golden_path(p) for p in CASES}
    stale = sorted(p.relative_to(ROOT).as_posix() for p in GOLDENS.rglob("*") if p.is_file()
                   and p not in expected)  # fmt: skip
    assert not stale, f"goldens whose pipeline is gone: {stale}"


def _section(text: str, step: str) -> str:
    blocks = text.split("\n\n")
    found = [b for b in blocks if b.split(" ", 2)[1:2] == [step]]
    assert len(found) == 1, f"no section for {step!r}"
    return found[0]


@pytest.mark.parametrize("pipeline", CASES, ids=_case_id)
def test_writes_per_mode_are_the_runtimes_words(pipeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step's write per run mode is `report.action` of its StepInfo, which --dry-run prints."""
    text = explain(pipeline, monkeypatch)
    plan, _ = read_plan(decode_source(pipeline.read_bytes(), pipeline.as_posix()), pipeline.as_posix())
    assert plan is not None
    for step in plan.pipeline.steps:
        section = _section(text, step.name)
        info = plan_step(step, plan.pipeline).info
        for mode in Mode:
            line = f"{mode.value.replace('_', '-'):<15}  {action(info, mode)}"
            assert line in section, f"{step.name}, {mode.value}: {line!r} not in\n{section}"


def _job_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"explain_job_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("pipeline", EXAMPLES, ids=_case_id)
def test_explain_says_what_the_jobs_dry_run_says(pipeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One source: the committed job's `--dry-run` and `explain` agree on every step's action per
    mode and on what its failure cancels."""
    text = explain(pipeline, monkeypatch)
    job = _job_module(pipeline.with_name("job.py"))
    for mode in Mode:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert job.main(["--dry-run", "--mode", mode.value]) == 0
        for line in out.getvalue().splitlines()[2:]:
            if not line.startswith("  "):
                continue  # a stage heading
            layer, name, rest = line.split(maxsplit=2)
            said, _, cancels = rest.partition("; if it fails, cancels ")
            said = said.split("  after ")[0]
            section = _section(text, name)
            assert section.startswith(f"{layer} {name} ")
            assert f"{mode.value.replace('_', '-'):<15}  {said}" in section
            flat = " ".join(section.split())  # the list of cancelled steps wraps
            assert f"on failure: cancels {cancels or 'nothing'} " in flat + " "


def test_step_explains_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = ROOT / "examples" / "ecommerce" / "pipeline.py"
    whole = explain(pipeline, monkeypatch)
    one = explain(pipeline, monkeypatch, "--step", "clean_orders")
    head, section = one.rstrip("\n").split("\n\n")
    assert head == whole.split("\n\n")[0]
    assert section == _section(whole, "clean_orders")
    assert 'amount: F.col("amount") > 0' in section
    assert "at least 95% valid rows" in section
    assert "on failure:  cancels customer_orders, customer_lifetime_value, daily_revenue" in section


def test_unknown_step_is_a_usage_error_with_a_suggestion() -> None:
    result = invoke(ROOT / "examples" / "ecommerce" / "pipeline.py", "--step", "clean_order")
    assert result.exit_code == 2
    assert "no such step; did you mean 'clean_orders'?" in result.stderr
    assert result.stdout == ""


def test_a_pipeline_with_mistakes_gets_the_compilers_diagnostics(tmp_path: Path) -> None:
    bad = sorted(p for p in (ROOT / "tests" / "bad_inputs").iterdir() if p.is_dir())[0]
    shutil.copytree(bad, tmp_path / "case")
    result = invoke(tmp_path / "case" / "pipeline.py")
    assert result.exit_code == 1
    assert "error[" in result.stderr and "nothing to explain" in result.stderr


def test_explain_needs_no_java(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "cases" / "depends_on_chain", tmp_path / "case")
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "SPARK_HOME")}
    env["PATH"] = str(tmp_path)  # no java here, nor anywhere else the process could look
    done = subprocess.run([str(SPARKFORGE), "explain", "pipeline.py"], env=env, cwd=tmp_path / "case",
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pipeline ")


def test_rules_say_their_name_and_action(tmp_path: Path) -> None:
    (tmp_path / "pipeline.py").write_text(
        "from pyspark.sql import functions as F\n"
        "from sparkforge import PipelineBuilder, rule\n\n\n"
        "def build(spark):\n"
        "    return PipelineBuilder(spark=spark, schema='s').with_bronze_rules(name='raw', rules={\n"
        "        'id': ['not_null', rule(['gt', 0], action='fail')],\n"
        "        'v': [rule('v < 100', action='warn', name='plausible')],\n"
        "    })\n"
    )
    out = invoke(tmp_path / "pipeline.py").stdout
    assert "id: F.col(\"id\") > 0\n" in out and "(fail: one failing row fails the step, whatever the threshold)" in out
    assert "(named 'plausible'; warn: counted and logged, the row stays valid)" in out
    assert "a row is valid when every rule but the warn rules holds" in out
