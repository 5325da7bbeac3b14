"""The runtime on its own: step functions written by hand with its verbs, as a compiled job has them."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from sparkforge_runtime.outcome import Status
from sparkforge_runtime.plan import Mode, Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.scheduler import RunOptions, run_plan
from sparkforge_runtime.verbs import StepRun


def _plan(schema: str, keep: Any = None, parallel: bool = True) -> Plan:
    """bronze `events` (incremental on id) -> silver `clean` (appends) -> gold `total`."""

    @step("bronze", "events", table=f"{schema}.events", watermark="id")
    def bronze_events(run: StepRun) -> DataFrame:
        df = run.read(f"{schema}.events")
        if run.incremental:
            df = run.newer_than(df, "id", run.oldest_watermark((f"{schema}.clean", "id")))
        rules = (Rule("id", "not_null", F.col("id").isNotNull()), Rule("v", "not_null", F.col("v").isNotNull()))
        checked = run.validate(df, rules, watermark="id")
        run.gate(checked, min_rate=50.0)
        return checked.valid

    @step("silver", "clean", table=f"{schema}.clean", after=("events",), initial="overwrite",
          incremental="append", full_refresh="overwrite")  # fmt: skip
    def silver_clean(run: StepRun) -> DataFrame:
        since = run.watermark(f"{schema}.clean", "id") if run.incremental else None
        events = run.newer_than(run.output("events"), "id", since)
        df = (keep or (lambda d: d.withColumn("v", F.col("v") * 2)))(events)
        rules = (Rule("v", "gte(0)", F.col("v") >= 0), Rule("id", "not_null", F.col("id").isNotNull()))
        checked = run.validate(df, rules, watermark="id")
        run.gate(checked, min_rate=50.0)
        run.publish(checked, covered=run.covered("events", since))
        return checked.valid

    @step("gold", "total", table=f"{schema}.total", after=("clean",), initial="overwrite",
          incremental="overwrite", full_refresh="overwrite")  # fmt: skip
    def gold_total(run: StepRun) -> DataFrame:
        silvers = run.declared({"clean": run.whole("clean", f"{schema}.clean")}, "source_silvers")
        df = silvers["clean"].agg(F.count("*").alias("n"))
        checked = run.validate(df, (Rule("n", "non_negative", F.col("n") >= 0),))
        run.gate(checked, min_rate=50.0)
        run.publish(checked)
        return checked.valid

    return Plan(((bronze_events,), (silver_clean,), (gold_total,)), parallel=parallel)


def _run(spark: Any, schema: str, rows: Any, mode: Mode, **kwargs: Any) -> Any:
    df = spark.createDataFrame(rows, kwargs.pop("ddl", "id int, v int"))
    options = RunOptions(mode=mode, log_table=f"{schema}.logs", progress=kwargs.pop("progress", None),
                         allow_empty=kwargs.pop("allow_empty", False),
                         min_rows=kwargs.pop("min_rows", 20))  # fmt: skip
    return run_plan(spark, Pipeline("engine_test"), _plan(schema, **kwargs), options, {"events": df})


def test_initial_then_incremental(spark, schema):  # type: ignore[no-untyped-def]
    report = _run(spark, schema, [(1, 5), (2, -1), (None, 3), (3, 7)], Mode.INITIAL)
    assert report.success, report.error_message
    assert report.outcomes["events"].input_rows == 4
    assert report.outcomes["events"].valid_rows == 3
    assert report.outcomes["clean"].rows_written == 2
    assert spark.table(f"{schema}.clean").count() == 2
    assert spark.table(f"{schema}.total").first()["n"] == 2
    report = _run(spark, schema, [(1, 5), (2, -1), (3, 7), (4, 1)], Mode.INCREMENTAL)
    assert report.success, report.error_message
    assert report.outcomes["events"].input_rows == 1
    assert report.outcomes["clean"].write_mode == "append"
    assert spark.table(f"{schema}.clean").count() == 3
    assert spark.table(f"{schema}.total").first()["n"] == 3
    assert spark.table(f"{schema}.logs").count() == 6


def test_threshold_failure_cancels_dependents(spark, schema):  # type: ignore[no-untyped-def]
    report = _run(spark, schema, [(1, -5), (2, -1), (3, 7)], Mode.INITIAL)
    assert not report.success
    assert report.outcomes["clean"].status is Status.FAILED
    assert report.outcomes["total"].status is Status.CANCELLED
    assert "[silver:clean] validation 33.33% below required 50.00%" in (report.error_message or "")
    assert not spark.catalog.tableExists(f"{schema}.clean")


def test_cached_rows_are_dropped_once_their_readers_are_done(spark, schema):  # type: ignore[no-untyped-def]
    """A step's cache lives until the last step reading it is done, not until the run ends."""
    spark.catalog.clearCache()  # the session is shared: start from an empty cache
    cache = spark._jsparkSession.sharedState().cacheManager()
    seen: dict[str, bool] = {}

    def progress(outcome):  # type: ignore[no-untyped-def]
        seen[outcome.name] = bool(cache.isEmpty())

    report = _run(spark, schema, [(1, 5), (2, 1)], Mode.INITIAL, parallel=False, progress=progress)
    assert report.success, report.error_message
    # The bronze rows are cached while the silver step reads them, the silver rows while the gold
    # step reads them; once the gold step is written nothing is left, before the run log is written.
    assert seen == {"events": False, "clean": False, "total": True}


def test_rows_a_silver_filters_out_are_not_read_again(spark, schema):  # type: ignore[no-untyped-def]
    """The silver commit records the newest bronze watermark it covered, not its own newest row."""
    positive = lambda df: df.filter(F.col("v") > 0)  # noqa: E731
    _run(spark, schema, [(1, 5), (2, 7), (3, -1)], Mode.INITIAL, keep=positive)
    assert spark.table(f"{schema}.clean").agg(F.max("id")).first()[0] == 2
    report = _run(spark, schema, [(1, 5), (2, 7), (3, -1)], Mode.INCREMENTAL, keep=positive)
    assert report.success, report.error_message
    # Row 3 was offered to the silver step (which dropped it): the bronze does not read it again.
    assert report.outcomes["events"].input_rows == 0
    assert report.outcomes["clean"].previous_watermark == "3"
    report = _run(spark, schema, [(1, 5), (3, -1), (4, 2)], Mode.INCREMENTAL, keep=positive)
    assert report.outcomes["events"].input_rows == 1
    assert sorted(r["id"] for r in spark.table(f"{schema}.clean").collect()) == [1, 2, 4]


def test_an_invalid_newest_row_is_not_read_again(spark, schema):  # type: ignore[no-untyped-def]
    """The watermark covers every row the bronze step read, valid or not: a run with no new rows
    after an invalid newest row reads nothing and succeeds."""
    rows = [(1, 5), (2, 7), (3, 1), (4, 2), (9, None)]  # the newest row fails the bronze rules
    report = _run(spark, schema, rows, Mode.INITIAL)
    assert report.success, report.error_message
    assert report.outcomes["events"].invalid_rows == 1
    report = _run(spark, schema, rows, Mode.INCREMENTAL)
    assert report.success, report.error_message
    assert report.outcomes["events"].input_rows == 0
    assert report.outcomes["clean"].previous_watermark == "9"


def test_an_empty_input_does_not_empty_a_table(spark, schema):  # type: ignore[no-untyped-def]
    assert _run(spark, schema, [(1, 5), (2, 7)], Mode.INITIAL).success
    version = spark.sql(f"DESCRIBE HISTORY {schema}.clean").count()
    report = _run(spark, schema, [], Mode.FULL_REFRESH)
    message = report.outcomes["clean"].error_message or ""
    assert "read no rows, so replacing" in message and "--allow-empty" in message
    assert spark.table(f"{schema}.clean").count() == 2
    assert spark.sql(f"DESCRIBE HISTORY {schema}.clean").count() == version
    assert _run(spark, schema, [], Mode.FULL_REFRESH, allow_empty=True).success
    assert spark.table(f"{schema}.clean").count() == 0


def test_a_changed_column_type_stops_the_step(spark, schema):  # type: ignore[no-untyped-def]
    assert _run(spark, schema, [(1, 5), (2, 7)], Mode.INITIAL).success
    report = _run(spark, schema, [(1, 5.5)], Mode.INITIAL, ddl="id int, v double")
    message = report.outcomes["clean"].error_message or ""
    assert f"column 'v' is double in the new rows but int in {schema}.clean" in message
    assert "schema_evolution=True" in message
    assert sorted(r["v"] for r in spark.table(f"{schema}.clean").collect()) == [10, 14]


def test_a_tiny_increment_warns_instead_of_failing(spark, schema):  # type: ignore[no-untyped-def]
    """1 valid row in 3 is 33%, below the 50% threshold; on 3 new rows of an incremental run the
    step warns and publishes its valid row, while the same batch fails when every breach fails."""
    assert _run(spark, schema, [(i, 1) for i in range(1, 31)], Mode.INITIAL).success
    tiny = [(i, 1) for i in range(1, 31)] + [(31, 1), (32, -1), (33, -1)]
    strict = _run(spark, schema, tiny, Mode.INCREMENTAL, min_rows=0)
    assert strict.outcomes["clean"].status is Status.FAILED
    report = _run(spark, schema, tiny, Mode.INCREMENTAL)
    assert report.success, report.error_message
    assert report.outcomes["clean"].input_rows == 3 and report.outcomes["clean"].rows_written == 1
    assert spark.table(f"{schema}.clean").count() == 31


def test_a_step_that_allows_schema_evolution_changes_its_table(spark, schema):  # type: ignore[no-untyped-def]
    """The same write, from a step with schema_evolution=True (publish(evolve=True)): the type changes."""

    @step("silver", "t", table=f"{schema}.t", initial="overwrite", incremental="append", full_refresh="overwrite")
    def silver_t(run: StepRun) -> DataFrame:
        checked = run.validate(run.read(f"{schema}.raw"), ())
        run.gate(checked, min_rate=0.0)
        run.publish(checked, evolve=True)
        return checked.valid

    plan = Plan(((silver_t,),))
    for ddl, rows in (("v int", [(1,)]), ("v double", [(1.5,)])):
        df = spark.createDataFrame(rows, ddl)
        report = run_plan(spark, Pipeline("evolve_test"), plan, RunOptions(mode=Mode.INITIAL), {"t": df})
        assert report.success, report.error_message
    assert spark.table(f"{schema}.t").schema["v"].dataType.simpleString() == "double"


def test_a_recorded_watermark_is_typed_as_spark_casts_it(spark):  # type: ignore[no-untyped-def]
    """Reading a watermark types it without a Spark job; the value equals Spark's own cast of the
    string it recorded, for each column type and in a session time zone other than the driver's."""
    from sparkforge_runtime.watermark import _typed

    values = {
        "int": "42", "bigint": "-7", "smallint": "3", "double": "1.0E-5", "float": "2.5",
        "decimal(12,3)": "12.500", "date": "2024-02-29", "timestamp": "2024-03-31 01:30:00.123",
        "timestamp_ntz": "2024-05-01 10:00:00", "string": "b-17",
    }  # fmt: skip
    zone = spark.conf.get("spark.sql.session.timeZone")
    try:
        for tz in ("UTC", "Europe/Berlin", "America/Los_Angeles"):
            spark.conf.set("spark.sql.session.timeZone", tz)
            for sql_type, text in values.items():
                expected = spark.createDataFrame([(text,)], "v string").select(F.col("v").cast(sql_type)).first()["v"]
                dtype = spark.createDataFrame([], f"v {sql_type}").schema["v"].dataType
                assert _typed(spark, text, dtype) == expected, (tz, sql_type, text)
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)


def test_a_first_write_a_killed_run_left_half_done_does_not_stop_the_next_run(spark, schema):  # type: ignore[no-untyped-def]
    """A run killed while it created a table leaves data files and no Delta log in the table's
    folder; the next run creates the table over them (they were never committed) and loses no row."""
    from pathlib import Path

    folder = Path(spark.catalog.getDatabase(schema).locationUri.removeprefix("file:"))
    for table in ("logs", "logs_rules", "logs_runs"):
        (folder / table).mkdir(parents=True)
        (folder / table / "part-00000-0f3e-c000.snappy.parquet").write_bytes(b"half written")
    report = _run(spark, schema, [(1, 5), (2, 7)], Mode.INITIAL)
    assert report.success and report.log_error is None, (report.error_message, report.log_error)
    report = _run(spark, schema, [(1, 5), (2, 7), (3, 1)], Mode.INCREMENTAL)
    assert report.success and report.log_error is None, (report.error_message, report.log_error)
    assert spark.table(f"{schema}.logs").count() == 6
    assert spark.table(f"{schema}.logs_rules").count() > 0
    statuses = sorted(r["status"] for r in spark.table(f"{schema}.logs_runs").collect())
    assert statuses == ["completed", "completed", "running", "running"]
