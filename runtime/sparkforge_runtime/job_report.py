"""What a compiled job prints: the spark-submit command, the plan, progress lines and the summary.

Input: plain job metadata (`PlannedStep`s) or the engine's `StepOutcome`s. Output: text for stdout.
Nothing here touches Spark, so `--help` and `--dry-run` work without a JVM.

    format_progress(outcome)  ->  "ok      silver  clean_orders  in 1,204  valid 99.50%  written 1,198  3.21s"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sparkforge_runtime.session import spark_submit_command
from sparkforge_runtime.specs import Mode, Status, StepOutcome

_STATUS_WORD = {Status.COMPLETED: "ok", Status.FAILED: "FAILED", Status.CANCELLED: "cancelled"}


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One step as the compiler planned it: enough to print the plan and check `--steps` and
    `--source` before Spark starts (the `StepSpec`s need a SparkContext for their rules)."""

    stage: int
    name: str
    layer: str
    table: str
    upstream: tuple[str, ...] = ()
    incremental: bool = False  # bronze: reads only new rows; silver: appends in incremental runs
    write_mode: str = "overwrite"
    existing: bool = False  # silver: an existing table that is validated, never written


def submit_command(script: str, extra_args: str = "--mode incremental") -> str:
    """The complete spark-submit command, one option per line, ready to paste into a shell."""
    tokens = spark_submit_command(script, extra_args).split()
    lines = [tokens[0]]
    rest = tokens[1:]
    # Options come in `--flag value` pairs until the script name; the script and its args stay together.
    while len(rest) >= 2 and rest[0].startswith("--") and rest[0] != "--" and rest[1] != script:
        lines.append(f"{rest[0]} {rest[1]}")
        rest = rest[2:]
    lines.append(" ".join(rest))
    return " \\\n  ".join(lines)


def _action(step: PlannedStep, mode: Mode, source: str | None) -> str:
    """What the step does to its table in this run mode (mirrors the engine's choice)."""
    if step.layer == "bronze":
        where = source or step.table
        newer = " (new rows only)" if mode is Mode.INCREMENTAL and step.incremental else ""
        return f"reads {where}{newer}"
    if step.existing:
        return f"validates {step.table}"
    if mode is Mode.VALIDATION_ONLY:
        return f"validates, writes nothing ({step.table})"
    if mode is Mode.INCREMENTAL and step.incremental:
        return f"{'merge' if step.write_mode == 'merge' else 'append'} -> {step.table}"
    return f"overwrite -> {step.table}"


def format_plan(
    pipeline: str, steps: Sequence[PlannedStep], mode: Mode, sources: Mapping[str, str]
) -> str:
    """The `--dry-run` output: stages in order, each step with its layer, table and write."""
    out = [
        f"pipeline {pipeline!r}, mode {mode.value.replace('_', '-')} (dry run: nothing is read or written)"
    ]
    for stage in sorted({s.stage for s in steps}):
        members = [s for s in steps if s.stage == stage]
        out.append(
            f"stage {stage}" + (f" ({len(members)} steps, parallel)" if len(members) > 1 else "")
        )
        width = max(len(s.name) for s in members)
        for s in members:
            after = f"  after {', '.join(s.upstream)}" if s.upstream else ""
            out.append(
                f"  {s.layer:<6}  {s.name:<{width}}  {_action(s, mode, sources.get(s.name))}{after}"
            )
    return "\n".join(out)


def format_progress(outcome: StepOutcome) -> str:
    """One concise line per finished step."""
    word = _STATUS_WORD[outcome.status]
    head = f"{word:<9} {outcome.layer:<6}  {outcome.name}"
    if outcome.status is Status.CANCELLED:
        return f"{head}  ({outcome.error_message})"
    # Bronze steps only read: "written" would always say 0.
    written = "" if outcome.layer == "bronze" else f"  written {outcome.rows_written:,}"
    line = (
        f"{head}  in {outcome.input_rows:,}  valid {outcome.validation_rate:.2f}%"
        f"{written}  {outcome.duration_secs:.2f}s"
    )
    if outcome.status is Status.FAILED:
        line += f"\n          {outcome.error_message}"
    return line


def _summary_row(o: StepOutcome) -> tuple[str, ...]:
    written = "-" if o.layer == "bronze" else f"{o.rows_written:,}"
    return (
        str(o.stage_index), o.name, o.layer, o.status.value, f"{o.input_rows:,}",
        f"{o.validation_rate:.2f}", written, f"{o.duration_secs:.2f}",
    )  # fmt: skip


def format_summary(outcomes: Sequence[StepOutcome], seconds: float) -> str:
    """A table of every step, then one line of totals."""
    header = ("stage", "step", "layer", "status", "rows in", "valid %", "written", "seconds")
    rows = [_summary_row(o) for o in sorted(outcomes, key=lambda o: (o.stage_index, o.name))]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    numeric = {0, 4, 5, 6, 7}

    def line(cells: Sequence[str]) -> str:
        parts = (
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(parts).rstrip()

    counts = {s: sum(1 for o in outcomes if o.status is s) for s in Status}
    total = (
        f"{counts[Status.COMPLETED]} completed, {counts[Status.FAILED]} failed, "
        f"{counts[Status.CANCELLED]} cancelled in {seconds:.1f}s"
    )
    return "\n".join([line(header), *(line(r) for r in rows), total])
