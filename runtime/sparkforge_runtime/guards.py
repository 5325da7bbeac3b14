"""Guards before a write that would silently lose data (an empty replacement, a changed column
type), and the gate's leniency on tiny increments.

Input: the rows about to be written, the target table, the write mode. Output: nothing, or a
`GuardError` that names the table, the column or the input and the option that allows it. Both
checks look at the table only when it exists, and the empty check runs a job only when the new
rows are empty. `small_increment` tells the gate when a rate says too little to fail a step on.

    check_types(df, "shop.orders")  ->  GuardError("column 'quantity' is string in the new rows but int ...")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame

from sparkforge_runtime.errors import RuntimeStepError
from sparkforge_runtime.plan import Mode, StepInfo
from sparkforge_runtime.steprun import StepRunLike
from sparkforge_runtime.tables import table_exists


class GuardError(RuntimeStepError):
    """A write was refused before it started; the table is unchanged."""


@dataclass(frozen=True, slots=True)
class Guards:
    """The run's guard options: `--allow-empty`, and `--min-rows` for `small_increment`."""

    allow_empty: bool = False  # replace a table that has rows with none
    min_rows: int = 20
    lease: Any = None  # the run's `lease.Lease`: no write once another run took it over


def add_options(add: Any) -> None:
    """The job's options of these guards (`add` is `ArgumentParser.add_argument`)."""
    add("--min-rows", type=int, default=20, metavar="N",
        help="in incremental runs a step of fewer rows warns on a threshold breach instead of "
        "failing (default: 20; 0 always fails)")  # fmt: skip
    add("--allow-empty", action="store_true",
        help="let a step replace a table that has rows with no rows (an empty input)")  # fmt: skip


def check_write(run: StepRunLike, df: DataFrame, mode: str, *, evolve: bool) -> None:
    """The guards of a step's write: the run still holds its lease, its column types (unless
    `evolve`), and for an overwrite its rows (unless `--allow-empty`)."""
    info = run.info
    if run.state.guards.lease is not None:
        run.state.guards.lease.check()  # LeaseLost: its heartbeat found another run holding it
    if not evolve:
        check_types(df, info.table, step=info.name)
    if mode == "overwrite" and not run.state.guards.allow_empty:
        check_not_emptied(df, info.table, run.outcome.valid_rows, step=info.name)


def forgiven(run: StepRunLike, min_rate: float) -> bool:
    """A rate below `min_rate` on a small increment (`small_increment`) only warns: the valid
    rows are published and the invalid ones counted."""
    o, min_rows = run.outcome, run.state.guards.min_rows
    if not small_increment(run.info, run.state.mode, o.input_rows, min_rows):
        return False
    run.state.log.warning(
        "%s: %.2f%% valid is below %.2f%%, but on %d rows (fewer than %d in an incremental "
        "run) the valid rows are published and the invalid ones counted", o.name,
        o.validation_rate, min_rate, o.input_rows, min_rows,
    )  # fmt: skip
    return True


def small_increment(info: StepInfo, mode: Mode, rows: int, min_rows: int) -> bool:
    """True when a step reads only new rows in an incremental run (a bronze step with a
    watermark, a silver step that appends or merges) and got fewer than `min_rows` of them: a
    rate over a handful of rows says little (1 bad row in 3 is 67%), so a breach only warns."""
    if mode is not Mode.INCREMENTAL or rows >= min_rows:
        return False
    if info.layer == "bronze":
        return info.watermark is not None
    return info.layer == "silver" and info.write_mode(Mode.INCREMENTAL) in ("append", "merge")


def check_not_emptied(df: DataFrame, table: str, rows: int, *, step: str) -> None:
    """Refuse to replace a table that has rows with none (an empty or truncated landing folder)."""
    spark = df.sparkSession
    if rows or not table_exists(spark, table) or spark.table(table).limit(1).count() == 0:
        return
    raise GuardError(
        f"step {step!r} read no rows, so replacing {table} would empty it; the table is unchanged. "
        f"Check the input, or pass --allow-empty (allow_empty=True) to replace it with no rows"
    )


def check_types(df: DataFrame, table: str, *, step: str) -> None:
    """Refuse to change the type of a column the table already has (e.g. int -> string)."""
    spark = df.sparkSession
    if not table_exists(spark, table):
        return
    old = {f.name: f.dataType for f in spark.table(table).schema.fields}
    for field in df.schema.fields:
        before = old.get(field.name)
        if before is not None and before != field.dataType:
            raise GuardError(
                f"step {step!r}: column {field.name!r} is {field.dataType.simpleString()} in the new "
                f"rows but {before.simpleString()} in {table}; the table is unchanged. Cast it back "
                "in the transform, or let the step change its table's schema (schema_evolution=True "
                "on the step: Delta replaces the schema on overwrite and adds new columns on append)"
            )
