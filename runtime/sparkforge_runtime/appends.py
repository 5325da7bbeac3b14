"""Appends to Delta tables that create the table on first use, also over a killed first write.

Input: a DataFrame, a table name, writer options. Output: the rows appended in one Delta commit,
the table created when it does not exist.

A first append that a killed run interrupted leaves data files in the table's folder and no Delta
log; Delta then refuses to create the table there (DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION),
and every later run would fail the same way. Nothing in that folder was ever committed, so the
append is retried as the table's creation (`overwrite`), which Delta allows over files of no
table: they stay unread, and VACUUM removes them.

    append(df, "shop.pipeline_logs", mergeSchema="true")
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame

from sparkforge_runtime.failures import error_condition

NOT_A_TABLE = "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION"


def append(df: DataFrame, fqn: str, **options: str) -> None:
    """Append `df` to the Delta table `fqn` (created when missing; its schema must exist) with
    writer `options`."""
    try:
        df.write.format("delta").mode("append").options(**options).saveAsTable(fqn)
    except Exception as exc:
        if error_condition(exc) != NOT_A_TABLE or df.sparkSession.catalog.tableExists(fqn):
            raise
        logging.getLogger("sparkforge").warning(
            "%s: its folder holds files of no Delta table (a first write that was interrupted); "
            "the table is created over them", fqn,
        )  # fmt: skip
        df.write.format("delta").mode("overwrite").options(**options).saveAsTable(fqn)
