"""Tables of plain files (Parquet, or another format Spark writes), for pipelines not on Delta.

Input: the valid rows, the table, the write mode (overwrite or append). Output: the table written.
Unlike Delta, such a table keeps the schema of its first write and an overwrite is not atomic: use
Delta when readers must never see a half-written table.

    write_files(df, "shop.orders", "append", "parquet")  ->  INSERT INTO shop.orders (by column name)
"""

from __future__ import annotations

from pyspark.sql import DataFrame

from sparkforge_runtime.errors import TableWriteError


def write_files(df: DataFrame, fqn: str, mode: str, table_format: str) -> None:
    """Create the table on the first write, then insert by column name (replacing on overwrite)."""
    spark = df.sparkSession
    if not spark.catalog.tableExists(fqn):
        df.write.format(table_format).saveAsTable(fqn)
        return
    columns = spark.table(fqn).columns
    missing = sorted(set(columns) - set(df.columns))
    if missing:
        raise TableWriteError(f"{fqn} has columns the new rows lack: {missing}")
    df.select(*columns).write.insertInto(fqn, overwrite=mode != "append")
