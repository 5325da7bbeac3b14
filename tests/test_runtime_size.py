"""The runtime stays small: what a compiled job loads is measured here, and no function is long.

`CORE` are the modules of the job's own machinery: the session, reading, validating in one pass,
the gate, publishing (write-audit-publish), the run log, the stage scheduler and the job's command
line (with the declarations, outcomes, rules, tables, text and errors they share). The primitives
of later features are modules of their own, counted apart: the lease and the runs table (lease,
runs), preflight checks and the runtime version check (preflight, version; the `--source` path
checks, source_checks, and a failed metastore's explanation, metastore, load only when needed),
guards (guards), Spark Connect (connect; starting a session and finding Delta on the server,
connect_remote, load only over Connect), lineage (lineage; its events, lineage_events, load only
when it is on), quarantine (quarantine), per-rule counts and actions and the rules log
(rulecounts, rulelog), incremental reads by watermark (watermark), skip and group refresh
(groups), failure lines (failures, where), the catalog warm-up (warmup), quiet logs (quiet),
inputs bound to paths and the `--source`/`--steps` options (sources, selection), declared inputs
(declared), file-format tables (tables_files), the log tables' schemas (tables_schema) and
appends that create their table over a killed first write (appends);
each adds its own job options or state. The limits are today's sizes: they may only go down.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "runtime" / "sparkforge_runtime"
CORE = ("__init__", "errors", "job", "outcome", "plan", "report", "rules", "runlog", "scheduler",
        "session", "tables", "verbs")  # fmt: skip
CORE_LIMIT = 1093  # non-blank lines
LOADED_LIMIT = 2951  # every runtime module importing a compiled job loads
MAX_FUNCTION = 40


def _non_blank(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def test_the_core_is_small() -> None:
    size = sum(_non_blank(RUNTIME / f"{name}.py") for name in CORE)
    assert size <= CORE_LIMIT, f"the runtime's core is {size} non-blank lines (limit {CORE_LIMIT})"


def test_what_a_job_loads_is_small() -> None:
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('j', sys.argv[1]);"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        "print('\\n'.join(sorted(n for n in sys.modules if n.startswith('sparkforge_runtime'))))"
    )
    job = ROOT / "examples" / "ecommerce" / "job.py"
    done = subprocess.run([sys.executable, "-c", code, str(job)], capture_output=True, text=True, check=True)
    loaded = [name.split(".")[-1] for name in done.stdout.split()]
    files = [RUNTIME / ("__init__.py" if n == "sparkforge_runtime" else f"{n}.py") for n in loaded]
    size = sum(_non_blank(f) for f in files)
    assert "sparkforge" not in done.stdout.replace("sparkforge_runtime", "")
    assert size <= LOADED_LIMIT, f"a job loads {size} non-blank lines of runtime (limit {LOADED_LIMIT})"


def test_no_runtime_function_is_long() -> None:
    long = []
    for path in sorted(RUNTIME.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION:
                    long.append(f"{path.name}:{node.name} ({length} lines)")
    assert not long, f"functions over {MAX_FUNCTION} lines: {long}"
