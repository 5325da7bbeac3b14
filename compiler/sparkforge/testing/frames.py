"""Compare two DataFrames for a test, and say how they differ in words a person can act on.

Input: the actual DataFrame and the expected one (a DataFrame, or rows as dicts or `Row`s). Output:
nothing when they hold the same rows (as a multiset unless order matters) and the same columns and
types; else an `AssertionError` naming the schema differences and listing the missing and the
unexpected rows.

    assert_frame_equal(result.valid, [{"order_id": 1, "amount": 10.0}])
    AssertionError: DataFrames differ
      rows missing from actual (1 of 1 expected):
        - {'order_id': 1, 'amount': 10.0}
      ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pyspark.sql import DataFrame, Row

__all__ = ["assert_frame_equal", "frame_differences"]

SHOWN = 20  # rows listed per kind of difference


def _hashable(value: Any) -> Any:
    """Rows as comparable values: lists, maps and structs become tuples."""
    if isinstance(value, Row):
        return tuple((k, _hashable(v)) for k, v in value.asDict().items())
    if isinstance(value, Mapping):
        return tuple(sorted((repr(k), _hashable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


def _table(frame: DataFrame | Sequence[Any]) -> tuple[list[str], dict[str, str] | None, list[dict[str, Any]]]:
    """Column names, their types (None for plain rows) and the rows as dicts."""
    if isinstance(frame, DataFrame):
        types = {f.name: f.dataType.simpleString() for f in frame.schema.fields}
        return list(frame.columns), types, [r.asDict(recursive=False) for r in frame.collect()]
    rows = [r.asDict() if isinstance(r, Row) else dict(r) for r in frame]
    columns = list(dict.fromkeys(c for r in rows for c in r))
    return columns, None, rows


def _schema(actual: tuple[list[str], dict[str, str] | None], expected: tuple[list[str], dict[str, str] | None],
            check_types: bool, check_column_order: bool) -> list[str]:  # fmt: skip
    (a_cols, a_types), (e_cols, e_types) = actual, expected
    problems = []
    missing = [c for c in e_cols if c not in a_cols]
    extra = [c for c in a_cols if c not in e_cols]
    if missing:
        problems.append(f"columns missing from actual: {missing}")
    if extra:
        problems.append(f"unexpected columns in actual: {extra}")
    if check_column_order and not missing and not extra and a_cols != e_cols:
        problems.append(f"column order: expected {e_cols}, got {a_cols}")
    if check_types and a_types is not None and e_types is not None:
        problems += [
            f"column {c!r}: expected type {e_types[c]}, got {a_types[c]}"
            for c in e_cols if c in a_types and a_types[c] != e_types[c]
        ]  # fmt: skip
    return problems


def _listing(title: str, sign: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"{title}:"] + [f"    {sign} {row}" for row in rows[:SHOWN]]
    if len(rows) > SHOWN:
        lines.append(f"    ... and {len(rows) - SHOWN} more")
    return lines


def _rows(a_rows: list[dict[str, Any]], e_rows: list[dict[str, Any]], columns: list[str],
          ignore_order: bool) -> list[str]:  # fmt: skip
    def key(row: dict[str, Any]) -> Any:
        return tuple(_hashable(row.get(c)) for c in columns)

    def shown(row: dict[str, Any]) -> dict[str, Any]:
        return {c: row.get(c) for c in columns}

    if not ignore_order:
        for index, (a, e) in enumerate(zip(a_rows, e_rows, strict=False)):
            if key(a) != key(e):
                return [f"row {index} differs:", f"    - {shown(e)}", f"    + {shown(a)}"]
        if len(a_rows) != len(e_rows):
            return [f"row count: expected {len(e_rows)}, got {len(a_rows)}"]
        return []
    want, have = Counter(key(r) for r in e_rows), Counter(key(r) for r in a_rows)
    by_key = {key(r): shown(r) for r in (*e_rows, *a_rows)}
    missing = [by_key[k] for k, n in sorted((want - have).items(), key=repr) for _ in range(n)]
    extra = [by_key[k] for k, n in sorted((have - want).items(), key=repr) for _ in range(n)]
    lines = []
    if missing:
        lines += _listing(f"rows missing from actual ({len(missing)} of {len(e_rows)} expected)", "-", missing)
    if extra:
        lines += _listing(f"unexpected rows in actual ({len(extra)} of {len(a_rows)})", "+", extra)
    return lines


def frame_differences(
    actual: DataFrame,
    expected: DataFrame | Sequence[Mapping[str, Any] | Row],
    *,
    ignore_order: bool = True,
    check_types: bool = True,
    check_column_order: bool = False,
) -> list[str]:
    """Every difference, one line each (rows indented below their heading); [] when equal."""
    a_cols, a_types, a_rows = _table(actual)
    e_cols, e_types, e_rows = _table(expected)
    problems = _schema((a_cols, a_types), (e_cols, e_types), check_types, check_column_order)
    common = [c for c in e_cols if c in a_cols]
    return problems + _rows(a_rows, e_rows, common, ignore_order)


def assert_frame_equal(
    actual: DataFrame,
    expected: DataFrame | Sequence[Mapping[str, Any] | Row],
    *,
    ignore_order: bool = True,
    check_types: bool = True,
    check_column_order: bool = False,
) -> None:
    """Fail with a readable diff unless `actual` holds the rows and columns of `expected`.

    Rows compare as a multiset (duplicates count) unless `ignore_order=False`; columns by name
    (their order too with `check_column_order=True`); types unless `check_types=False` or the
    expected rows are plain dicts. Nullability is not compared: Spark relaxes it freely.
    """
    problems = frame_differences(actual, expected, ignore_order=ignore_order, check_types=check_types,
                                 check_column_order=check_column_order)  # fmt: skip
    if problems:
        body = "\n".join(p if p.startswith("    ") else f"  {p}" for p in problems)
        raise AssertionError(f"DataFrames differ\n{body}")
