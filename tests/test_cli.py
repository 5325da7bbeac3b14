"""The `sparkforge` command: output files, `--check`, exit codes, diagnostics, no JVM, determinism."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sparkforge.compiler import cli
from sparkforge.compiler.api import InternalCompilerError

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
SPARKFORGE = Path(sys.executable).with_name("sparkforge")

BAD_PIPELINE = """\
from sparkforge import PipelineBuilder

builder = (
    PipelineBuilder(spark=spark, schema="shop")
    .with_bronze_rules(name="orders", rules={"id": ["not_null"]})
    .add_silver_transform(
        name="clean",
        transform=make_transform(),
        rules={"id": ["not_null"]},
        table_name="clean",
    )
)
"""


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A copy of the fluent-chain case, so tests may write beside it."""
    target = tmp_path / "shop"
    shutil.copytree(CASES / "fluent_chain", target)
    (target / "job.py").unlink(missing_ok=True)
    return target


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def test_compile_writes_the_job(case: Path) -> None:
    result = invoke("compile", case / "pipeline.py", "-o", case / "job.py")
    assert result.exit_code == 0, result.stderr
    job = (case / "job.py").read_text()
    assert job == (CASES / "fluent_chain" / "job.py").read_text()
    assert "compiled" in result.stderr and "3 steps in 3 stages" in result.stderr


def test_compile_to_stdout(case: Path) -> None:
    result = invoke("compile", case / "pipeline.py")
    assert result.exit_code == 0
    assert result.stdout == (CASES / "fluent_chain" / "job.py").read_text()


def test_check_passes_when_up_to_date_and_fails_with_a_diff(case: Path) -> None:
    job = case / "job.py"
    assert invoke("compile", case / "pipeline.py", "-o", job).exit_code == 0
    ok = invoke("compile", case / "pipeline.py", "-o", job, "--check")
    assert ok.exit_code == 0 and "up to date" in ok.stderr
    text = job.read_text()
    assert "min_rate=95.0)" in text
    job.write_text(text.replace("min_rate=95.0)", "min_rate=50.0)", 1))
    stale = invoke("compile", case / "pipeline.py", "-o", job, "--check")
    assert stale.exit_code == 1
    assert "-    run.gate(checked, min_rate=50.0)" in stale.stdout
    assert "+    run.gate(checked, min_rate=95.0)" in stale.stdout
    assert "out of date" in stale.stderr
    assert "min_rate=50.0" in job.read_text(), "--check must not write"
    job.unlink()
    assert invoke("compile", case / "pipeline.py", "-o", job, "--check").exit_code == 1


def test_user_mistake_is_a_diagnostic_with_exit_1(tmp_path: Path) -> None:
    pipeline = tmp_path / "pipeline.py"
    pipeline.write_text(BAD_PIPELINE)
    result = invoke("compile", pipeline, "-o", tmp_path / "job.py")
    assert result.exit_code == 1
    assert "pipeline.py:8:" in result.stderr and "error[SF" in result.stderr
    assert "^" in result.stderr and "no job written" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "job.py").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("compile", "missing.py"),
        ("compile", "{p}", "--check"),
        ("compile", "{p}", "-o", "job.py", "--runtime-zip", "r.zip", "--with-runtime-zip"),
        ("compile", "{p}", "--with-runtime-zip"),
        ("compile", "{p}", "--bogus"),
        ("compile", "{p}", "-o", "{p}"),
    ],
    ids=[
        "missing-file",
        "check-without-output",
        "two-zips",
        "zip-without-output",
        "bad-option",
        "overwrite-source",
    ],
)
def test_usage_errors_exit_2(case: Path, args: tuple[str, ...]) -> None:
    argv = [a.format(p=case / "pipeline.py") for a in args]
    result = CliRunner().invoke(cli.main, argv)
    assert result.exit_code == 2, result.output


def test_internal_error_exits_3_and_keeps_the_output(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise InternalCompilerError("black rejected the job", unformatted="def broken(:\n")

    monkeypatch.setattr(cli, "compile_source", broken)
    result = invoke("compile", case / "pipeline.py", "-o", case / "job.py")
    assert result.exit_code == 3
    assert "please report" in result.stderr
    assert (case / "job.py.unformatted").read_text() == "def broken(:\n"
    assert not (case / "job.py").exists()


def test_runtime_zip_beside_the_job_or_at_a_path(case: Path) -> None:
    assert (
        invoke(
            "compile", case / "pipeline.py", "-o", case / "job.py", "--with-runtime-zip"
        ).exit_code
        == 0
    )
    with zipfile.ZipFile(case / "sparkforge_runtime.zip") as archive:
        assert "sparkforge_runtime/job.py" in archive.namelist()
    target = case / "dist" / "rt.zip"
    assert (
        invoke(
            "compile", case / "pipeline.py", "-o", case / "job.py", "--runtime-zip", target
        ).exit_code
        == 0
    )
    assert target.read_bytes() == (case / "sparkforge_runtime.zip").read_bytes()


def _run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SPARKFORGE), *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )


def test_compiling_needs_no_java(case: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "SPARK_HOME")}
    env["PATH"] = str(case)  # no java here, nor anywhere else the process could look
    assert shutil.which("java", path=env["PATH"]) is None
    done = _run_cli(["compile", "pipeline.py", "-o", "job.py"], env, case)
    assert done.returncode == 0, done.stderr
    assert (case / "job.py").read_text() == (CASES / "fluent_chain" / "job.py").read_text()


def test_same_bytes_under_different_hash_seeds(tmp_path: Path) -> None:
    source = CASES / "depends_on_chain"
    outputs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = tmp_path / seed / "job.py"
        done = _run_cli(["compile", str(source / "pipeline.py"), "-o", str(out)], env, ROOT)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_planner_errors_are_diagnostics(monkeypatch: pytest.MonkeyPatch) -> None:
    from sparkforge.compiler import api
    from sparkforge.ir import Layer, Pipeline, Settings, Span, Step

    cyclic = Pipeline(
        Settings(schema="s"),
        (
            Step("a", Layer.SILVER, depends_on=("b",), span=Span("p.py", 3, 4)),
            Step("b", Layer.SILVER, depends_on=("a",), span=Span("p.py", 5, 4)),
        ),
    )
    monkeypatch.setattr(api, "read_pipeline", lambda *_, **__: (cyclic, ()))
    result = api.compile_source("", "p.py")
    assert result.source is None and not result.ok
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "SF500" and "a -> b -> a" in diagnostic.message
    assert diagnostic.span.line == 3
