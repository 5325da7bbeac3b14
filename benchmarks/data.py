"""Deterministic benchmark data: click-stream events, computed by Spark from `spark.range`.

Input: a SparkSession, a row count, a seed and an output directory. Output: the same rows written as
CSV (header, ISO timestamps) and as Parquet, plus an "increment" batch of 1% new rows whose ids and
`event_ts` are larger than every row of the base batch:

    generate(spark, 200_000, out)  ->  out/base/{csv,parquet}/part-*   (200,000 rows)
                                       out/increment/{csv,parquet}/    (2,000 rows, newer event_ts)

Every column is a pure function of (seed, id) through `xxhash64`, so the data is identical on every
run and machine, and no Python loop touches a row. About 2% of the rows are deliberately bad (a null
user, a negative or huge amount, a zero quantity, an unknown event type, an empty country), so the
validation rules have work to do.

    python -m benchmarks.data --rows 200000 --out .work/bench/data
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

SEED = 20_240_601
BAD_PERCENT = 2
INCREMENT_FRACTION = 0.01
EVENT_TYPES = ("view", "cart", "purchase", "refund")
CATEGORIES = ("books", "games", "garden", "kitchen", "music", "outdoor", "sports", "toys")
COUNTRIES = ("DE", "FR", "GB", "IT", "NL", "PL", "SE", "US")
USERS = 50_000
PRODUCTS = 1_000
START_TS = 1_700_000_000  # 2023-11-14; one event every 3 seconds after that
TIMESTAMP_TYPE_KEY = "spark.sql.parquet.outputTimestampType"
PARQUET_TIMESTAMPS = "TIMESTAMP_MICROS"


def _h(salt: int, seed: int, modulo: int) -> Column:
    """A pseudo-random long in [0, modulo) for each row, different for each salt."""
    return F.pmod(F.xxhash64(F.lit(seed), F.lit(salt), F.col("id")), F.lit(modulo))


def _pick(values: tuple[str, ...], salt: int, seed: int) -> Column:
    index = (_h(salt, seed, len(values)) + 1).cast("int")
    return F.element_at(F.array(*[F.lit(v) for v in values]), index)


def events(
    spark: SparkSession, rows: int, *, first_id: int = 0, seed: int = SEED, files: int = 2
) -> DataFrame:
    """`rows` events with ids first_id .. first_id + rows - 1 in `files` id-ordered partitions;
    ~2% of them break one rule."""
    bad = _h(99, seed, 100) < BAD_PERCENT
    kind = _h(98, seed, 6)
    amount = F.round(_h(3, seed, 50_000) / 100 + 0.5, 2)
    df = spark.range(first_id, first_id + rows, 1, files).select(
        F.col("id").alias("event_id"),
        F.when(bad & (kind == 0), F.lit(None)).otherwise(_h(1, seed, USERS)).alias("user_id"),
        _h(2, seed, PRODUCTS).cast("int").alias("product_id"),
        F.when(bad & (kind == 1), F.lit("unknown"))
        .otherwise(_pick(EVENT_TYPES, 4, seed))
        .alias("event_type"),
        F.when(bad & (kind == 2), -amount)
        .when(bad & (kind == 3), F.lit(2_500_000.0))
        .otherwise(amount)
        .alias("amount"),
        F.when(bad & (kind == 4), F.lit(0))
        .otherwise((_h(5, seed, 5) + 1).cast("int"))
        .alias("quantity"),
        F.when(bad & (kind == 5), F.lit("")).otherwise(_pick(COUNTRIES, 6, seed)).alias("country"),
        F.timestamp_seconds(F.lit(START_TS) + F.col("id") * 3).alias("event_ts"),
    )
    return df


def _write(df: DataFrame, out: Path) -> None:
    """Write `df` as CSV and as Parquet under `out/csv` and `out/parquet`, one file a partition."""
    df.write.mode("overwrite").option("header", "true").option(
        "timestampFormat", "yyyy-MM-dd HH:mm:ss"
    ).csv(str(out / "csv"))
    # Timestamps as INT64 micros (not Spark's legacy INT96), so that Parquet's row-group statistics
    # on `event_ts` let an incremental read skip the files it has already seen, as in any current
    # Parquet writer's output.
    conf = df.sparkSession.conf
    previous = conf.get(TIMESTAMP_TYPE_KEY)
    conf.set(TIMESTAMP_TYPE_KEY, PARQUET_TIMESTAMPS)
    try:
        df.write.mode("overwrite").parquet(str(out / "parquet"))
    finally:
        conf.set(TIMESTAMP_TYPE_KEY, previous)


def generate(spark: SparkSession, rows: int, out: Path, *, seed: int = SEED) -> dict[str, object]:
    """Write the base and increment batches; return a manifest (also saved as manifest.json)."""
    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    increment = max(1, int(rows * INCREMENT_FRACTION))
    files = max(2, min(16, rows // 250_000))
    _write(events(spark, rows, seed=seed, files=files), out / "base")
    _write(events(spark, increment, first_id=rows, seed=seed, files=1), out / "increment")
    manifest: dict[str, object] = {
        "rows": rows,
        "increment_rows": increment,
        "seed": seed,
        "parquet_timestamps": PARQUET_TIMESTAMPS,
        "bytes": {
            f"{batch}/{fmt}": _size(out / batch / fmt)
            for batch in ("base", "increment")
            for fmt in ("csv", "parquet")
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("part-*"))


def data_files(root: Path, batch: str, fmt: str) -> list[Path]:
    """The data files (no _SUCCESS or .crc) of one batch in one format."""
    return sorted(p for p in (root / batch / fmt).glob("part-*") if not p.name.endswith(".crc"))


def is_current(manifest: dict[str, object], rows: int, *, seed: int = SEED) -> bool:
    """True when a manifest describes data this generator would write for `rows` and `seed`."""
    found = (manifest.get("rows"), manifest.get("seed"), manifest.get("parquet_timestamps"))
    return found == (rows, seed, PARQUET_TIMESTAMPS)


def ensure(spark_factory: object, rows: int, out: Path, *, seed: int = SEED) -> dict[str, object]:
    """Generate into `out` unless a manifest for the same rows and seed is already there."""
    manifest_file = Path(out) / "manifest.json"
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
        if is_current(manifest, rows, seed=seed):
            return dict(manifest)
    assert callable(spark_factory)
    return generate(spark_factory(), rows, out, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the sparkforge benchmark data.")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    from sparkforge_runtime.session import build_session

    spark = build_session("sparkforge-bench-data", enable_hive=False)
    print(json.dumps(generate(spark, args.rows, args.out, seed=args.seed), indent=2))
    spark.stop()


if __name__ == "__main__":
    main()
