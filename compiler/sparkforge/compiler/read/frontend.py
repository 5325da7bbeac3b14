"""The compiler frontend: pipeline source text -> `ir.Pipeline` plus diagnostics, never running it.

Input: the text of `pipeline.py`, the name to show in diagnostics and the folder of its sibling
modules. Output: the `ir.Pipeline` (None when there is any error) and every diagnostic of the file,
sorted by position. The passes run in the order of `PASSES`; each takes and returns a `Unit`.

    read_pipeline(text, "pipeline.py", base_dir=Path("pipelines"))
    -> (Pipeline(settings=..., steps=(...), support=(...)), (Diagnostic(SF304 warning ...),))
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from sparkforge import ir
from sparkforge.compiler.check.check_cycles import check_cycles
from sparkforge.compiler.check.check_names import check_names
from sparkforge.compiler.check.check_reads import check_reads
from sparkforge.compiler.check.check_step_inputs import check_sources
from sparkforge.compiler.check.check_tables import check_tables
from sparkforge.compiler.check.infer_step_inputs import infer_sources
from sparkforge.compiler.diagnostics import Diagnostic
from sparkforge.compiler.read.bind_helpers import bind_helpers
from sparkforge.compiler.read.collect_support import collect_support
from sparkforge.compiler.read.find_builder import find_builder
from sparkforge.compiler.read.load_siblings import load_siblings
from sparkforge.compiler.read.parse_module import parse_module
from sparkforge.compiler.read.read_rules import read_rules
from sparkforge.compiler.read.read_settings import read_settings
from sparkforge.compiler.read.read_steps import read_steps
from sparkforge.compiler.read.read_transforms import read_transforms
from sparkforge.compiler.read.unit import FrontendOptions, Unit
from sparkforge.compiler.read.unroll_loops import unroll_loops

Pass = Callable[[Unit], Unit]

PASSES: tuple[Pass, ...] = (
    parse_module,  # text -> libcst module, positions, parents
    find_builder,  # the PipelineBuilder and the calls made on it
    load_siblings,  # modules beside the pipeline that it imports
    unroll_loops,  # steps declared in a `for` over known values: one call per turn
    bind_helpers,  # steps declared in a function the builder is passed to: that call's values
    read_settings,  # constructor / preset / enable_unified_execution -> ir.Settings
    read_steps,  # step calls -> ir.Step
    read_rules,  # rules -> ir.RuleSpec
    read_transforms,  # transform= -> ir.Transform (verbatim source)
    check_names,  # unique step names, at least one step
    infer_sources,  # missing source_bronze / source_silvers, as the builder infers them
    check_sources,  # named sources exist and have the right layer
    check_tables,  # each silver and gold step writes a table of its own
    check_reads,  # prior_silvers["x"] / silvers["x"] reads: add undeclared ones, warn
    check_cycles,  # no dependency cycle
    collect_support,  # helpers, constants and imports the copied code needs
)


def read_pipeline(
    source: str, filename: str, *, base_dir: Path | str | os.PathLike[str] | None
) -> tuple[ir.Pipeline | None, tuple[Diagnostic, ...]]:
    """Run every frontend pass over one file; user mistakes come back as diagnostics."""
    options = FrontendOptions(filename, Path(base_dir) if base_dir is not None else None)
    unit = Unit(source, options)
    with _collector_paused():
        for run in PASSES:
            unit = run(unit)
    diagnostics = _sorted_unique(unit.diagnostics)
    return (None if unit.has_errors else unit.pipeline), diagnostics


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the passes run.

    libcst allocates hundreds of thousands of nodes for a big pipeline, none of them garbage yet,
    and the collector keeps rescanning them: pausing it saves about a fifth of the time. The
    previous state is restored, and everything allocated here is collected normally afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sorted_unique(diagnostics: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    """One copy of each diagnostic (a bad constant used by ten steps is one mistake), by position."""
    unique = dict.fromkeys(diagnostics)
    return tuple(sorted(unique, key=lambda d: (d.span.file, d.span.line, d.span.column, d.code)))
