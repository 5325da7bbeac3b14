"""Property: however the batches fall, incremental refresh leaves every gold table equal to a full
recompute from the silver tables, in the interpreted runner and in the compiled job alike.

Hypothesis generates a pipeline (bronze `events` incremental on `ts` -> silver `clean`, appending
-> two gold steps, each a generated `groupBy(...).agg(...)` with optional row-wise steps before and
after, so some are refreshed by groups and a post-aggregation filter makes groups disappear) and a
run of batches: rows of old and new groups, NULL keys, empty batches. After the initial load and
after each incremental run, each gold table equals its transform applied to the whole silver table,
validated like the step validates. Examples are few and tiny (Spark runs dominate): set
SPARKFORGE_PROPERTY_EXAMPLES to try more.
"""

from __future__ import annotations

import itertools
import os
import types
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession
from sparkforge.compiler.api import compile_source
from sparkforge.validation import apply_column_rules

from tests.support.jobs import load_module, sorted_rows

_FOLDERS = itertools.count()
EXAMPLES = int(os.environ.get("SPARKFORGE_PROPERTY_EXAMPLES", "2"))
START = datetime(2025, 1, 1)
EVENTS = "id int, k1 int, k2 string, v int, ts timestamp"
KEYS = (("k1",), ("k2",), ("k1", "k2"))
PRE = ("", '.filter(F.col("v") > 0)', '.withColumn("v", F.coalesce(F.col("v"), F.lit(0)) + 1)')
AGGS = ('F.sum("v").alias("total"), F.count("*").alias("n")', 'F.max("v").alias("total"), F.count("v").alias("n")')
# `total < 4` makes groups disappear when new rows raise their total: the MERGE must delete them.
POST = ("", '.filter(F.col("n") > 1)', '.filter(F.col("total") < 4)', '.withColumn("total", F.col("total") * 2)')

PIPELINE = '''
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

SCHEMA = {schema!r}


def clean(spark, bronze_df, prior_silvers):
    return bronze_df.withColumn("v", F.col("v") - 1)

{golds}

def build(spark):
    builder = (
        PipelineBuilder(spark=spark, schema=SCHEMA, min_bronze_rate=0.0, min_silver_rate=0.0,
                        min_gold_rate=0.0, pipeline_name="props", verbose=False)
        .with_bronze_rules(name="events", rules={{"id": ["not_null"], "ts": ["not_null"], "k1": [], "k2": [], "v": []}},
                           incremental_col="ts")
        .add_silver_transform(
            name="clean", source_bronze="events", transform=clean, table_name="clean",
            rules={{"id": ["not_null"], "ts": ["not_null"], "k1": [], "k2": [], "v": []}},
            watermark_col="ts",
        )
    )
{adds}
    return builder
'''
GOLD = '''
def gold_{i}(spark, silvers):
    return silvers["clean"]{pre}.groupBy({keys}).agg({aggs}){post}
'''
ADD = '''    builder = builder.add_gold_transform(name="gold_{i}", source_silvers=["clean"], transform=gold_{i},
                                         rules={rules!r}, table_name="gold_{i}")'''

gold_shape = st.tuples(st.sampled_from(KEYS), st.sampled_from(PRE), st.sampled_from(AGGS), st.sampled_from(POST))
row = st.tuples(
    st.sampled_from([None, 0, 1, 2]), st.sampled_from([None, "a", "b"]), st.one_of(st.none(), st.integers(-3, 5))
)
batches = st.lists(st.lists(row, max_size=6), min_size=2, max_size=2)


def gold_rules(keys: tuple[str, ...]) -> dict[str, list[Any]]:
    return {**{k: [] for k in keys}, "total": [], "n": [["gt", 0]]}


def pipeline_text(schema: str, shapes: list[tuple[Any, ...]]) -> str:
    golds = "".join(
        GOLD.format(i=i, pre=pre, keys=", ".join(repr(k) for k in keys), aggs=aggs, post=post)
        for i, (keys, pre, aggs, post) in enumerate(shapes)
    )
    adds = "\n".join(ADD.format(i=i, rules=gold_rules(s[0])) for i, s in enumerate(shapes))
    return PIPELINE.format(schema=schema, golds=golds, adds=adds)


class Rows:
    """The bronze input: every batch so far, ids and timestamps growing."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def add(self, batch: list[tuple[Any, ...]]) -> None:
        for k1, k2, v in batch:
            i = len(self.rows)
            self.rows.append((i, k1, k2, v, START + timedelta(seconds=i)))


def assert_golds_recomputed(spark: SparkSession, module: types.ModuleType, shapes: list[Any]) -> None:
    silvers = {"clean": spark.table(f"{module.SCHEMA}.clean")}
    for i, shape in enumerate(shapes):
        expected = getattr(module, f"gold_{i}")(spark, silvers)
        valid, _, _ = apply_column_rules(expected, gold_rules(shape[0]), "gold", f"gold_{i}")
        table = spark.table(f"{module.SCHEMA}.gold_{i}")
        assert sorted_rows(table) == sorted_rows(valid), f"gold_{i} {shape}"


def scenario(spark: SparkSession, tmp: Path, engine: str, shapes: list[Any], runs: list[Any]) -> None:
    schema = f"props_{engine}"
    spark.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    spark.sql(f"CREATE SCHEMA {schema}")
    folder = tmp / f"{engine}_{next(_FOLDERS)}"
    folder.mkdir(parents=True)
    text = pipeline_text(schema, shapes)
    (folder / "pipeline.py").write_text(text)
    module = load_module(folder / "pipeline.py")
    run = _interpreted(spark, module) if engine == "interpreted" else _compiled(spark, folder, text)
    rows, source = Rows(), f"{schema}.events_in"
    for index, batch in enumerate([[(1, "a", 2), (None, None, 3)], *runs]):
        rows.add(batch)
        spark.createDataFrame(rows.rows, EVENTS).write.format("delta").mode("overwrite").saveAsTable(source)
        run("initial" if index == 0 else "incremental", source)
        assert_golds_recomputed(spark, module, shapes)
    spark.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _interpreted(spark: SparkSession, module: types.ModuleType) -> Any:
    runner = module.build(spark).to_pipeline()

    def run(mode: str, source: str) -> None:
        call = runner.initial_load if mode == "initial" else runner.run_incremental
        result = call(bronze_sources={"events": spark.table(source)})
        assert result.success, result.error_message

    return run


def _compiled(spark: SparkSession, folder: Path, text: str) -> Any:
    compiled = compile_source(text, "pipeline.py")
    assert compiled.ok and compiled.source is not None, compiled.diagnostics
    (folder / "job.py").write_text(compiled.source)
    job = load_module(folder / "job.py")

    def run(mode: str, source: str) -> None:
        assert job.main(["--mode", mode, "--source", f"events={source}", "--log-level", "WARNING"]) == 0

    return run


@pytest.mark.parametrize("engine", ["interpreted", "compiled"])
def test_gold_equals_full_recompute(spark: SparkSession, tmp_path_factory: Any, engine: str) -> None:
    tmp = tmp_path_factory.mktemp("props")

    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),  # shrinking would rerun Spark for minutes
    )  # fmt: skip
    @given(shapes=st.lists(gold_shape, min_size=2, max_size=2), runs=batches)
    @example(  # an old group updated past the filter (deleted), NULL keys, then an empty batch
        shapes=[(("k1", "k2"), "", AGGS[0], POST[2]), (("k2",), PRE[1], AGGS[1], POST[1])],
        runs=[[(1, "a", 5), (None, None, 2), (2, None, None)], []],
    )
    def check(shapes: list[Any], runs: list[Any]) -> None:
        scenario(spark, tmp, engine, shapes, runs)

    check()
