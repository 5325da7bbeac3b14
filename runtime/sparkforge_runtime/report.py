"""What a job prints: the spark-submit command, the plan (`--dry-run`), progress lines, the summary.

Input: the job's `Pipeline` and `Plan`, or the `StepOutcome`s of a run. Output: text for stdout.
Nothing here touches Spark, so `--help` and `--dry-run` work without a JVM.

    format_progress(outcome)  ->  "ok        silver  clean_orders  in 1,204  valid 99.50%  written 1,198  3.21s"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sparkforge_runtime.outcome import Status, StepOutcome
from sparkforge_runtime.plan import Mode, Pipeline, Plan, StepInfo
from sparkforge_runtime.rulecounts import format_rule_failures
from sparkforge_runtime.session import spark_submit_command

_WORD = {Status.COMPLETED: "ok", Status.FAILED: "FAILED", Status.CANCELLED: "cancelled", Status.SKIPPED: "skipped"}


def submit_command(script: str, extra_args: str = "--mode incremental") -> str:
    """The complete spark-submit command, one option per line, ready to paste into a shell."""
    tokens = spark_submit_command(script, extra_args).split()
    lines, rest = [tokens[0]], tokens[1:]
    while len(rest) >= 2 and rest[0].startswith("--") and rest[1] != script:
        lines.append(f"{rest[0]} {rest[1]}")
        rest = rest[2:]
    lines.append(" ".join(rest))
    return " \\\n  ".join(lines)


def action(info: StepInfo, mode: Mode, source: str | None = None) -> str:
    """What a step does in this run mode, read from its `@step(...)` declaration."""
    if info.layer == "bronze":
        newer = f" (only rows with a newer {info.watermark})" if mode is Mode.INCREMENTAL and info.watermark else ""
        return f"reads {source or info.table}{newer}"
    write = info.write_mode(mode)
    if write is None:
        return f"validates {info.table}, writes nothing"
    if mode is Mode.INCREMENTAL and info.refresh_by:  # groups.py; it overwrites when it cannot tell
        return f"merge changed groups on {', '.join(info.refresh_by)} -> {info.table} (else {write})"
    keys = f" on {', '.join(info.merge_keys)}" if write == "merge" else ""
    return f"{write}{keys} -> {info.table}"


def format_plan(pipeline: Pipeline, plan: Plan, mode: Mode, sources: Mapping[str, str]) -> str:
    """The `--dry-run` output: stages in order, each step with its action, and what its failure
    cancels."""
    out = [f"pipeline {pipeline.name!r}, mode {mode.value.replace('_', '-')} "
           "(dry run: nothing is read or written)"]  # fmt: skip
    workers = f"up to {plan.max_workers} at once" if plan.parallel else "one after another"
    for index, stage in enumerate(plan.stages, start=1):
        out.append(f"stage {index}" + (f" ({len(stage)} steps, {workers})" if len(stage) > 1 else ""))
        width = max(len(s.name) for s in stage)
        for s in stage:
            line = f"  {s.info.layer:<6}  {s.name:<{width}}  {action(s.info, mode, sources.get(s.name))}"
            line += f"  after {', '.join(s.info.after)}" if s.info.after else ""
            cancels = plan.dependents(s.name)
            out.append(line + (f"; if it fails, cancels {', '.join(cancels)}" if cancels else ""))
    return "\n".join(out)


def format_progress(outcome: StepOutcome) -> str:
    """One concise line per finished step."""
    head = f"{_WORD[outcome.status]:<9} {outcome.layer:<6}  {outcome.name}"
    if outcome.status is Status.CANCELLED:
        return f"{head}  ({outcome.error_message})"
    if outcome.status is Status.SKIPPED:
        return f"{head}  ({outcome.note})"
    if outcome.status is Status.FAILED and not outcome.counted:  # failed before counting its rows
        return f"{head}  {outcome.duration_secs:.2f}s\n          {outcome.error_message}"
    written = "" if outcome.layer == "bronze" else f"  written {outcome.rows_written:,}"
    line = (f"{head}  in {outcome.input_rows:,}  valid {outcome.validation_rate:.2f}%"
            f"{written}  {outcome.duration_secs:.2f}s")  # fmt: skip
    failing = format_rule_failures(outcome)
    if failing:
        line += f"\n          {failing}"
    if outcome.status is Status.FAILED:
        line += f"\n          {outcome.error_message}"
    return line


def format_summary(outcomes: Sequence[StepOutcome], seconds: float) -> str:
    """A table of every step, then one line of totals."""
    header = ("stage", "step", "layer", "status", "rows in", "valid %", "written", "seconds")
    rows = [
        (str(o.stage_index), o.name, o.layer, o.status.value, f"{o.input_rows:,}",
         f"{o.validation_rate:.2f}", "-" if o.layer == "bronze" else f"{o.rows_written:,}",
         f"{o.duration_secs:.2f}")
        for o in sorted(outcomes, key=lambda o: (o.stage_index, o.name))
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in (0, 4, 5, 6, 7) else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    counts = {s: sum(1 for o in outcomes if o.status is s) for s in Status}
    total = (f"{counts[Status.COMPLETED]} completed, {counts[Status.FAILED]} failed, "
             f"{counts[Status.CANCELLED]} cancelled in {seconds:.1f}s")  # fmt: skip
    if counts[Status.SKIPPED]:
        total = total.replace(" in ", f", {counts[Status.SKIPPED]} skipped in ", 1)
    return "\n".join([line(header), *(line(r) for r in rows), total])
