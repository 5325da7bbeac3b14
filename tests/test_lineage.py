"""OpenLineage events: START and COMPLETE / FAIL / ABORT per step and for the pipeline run, datasets
and data-quality facets, sent through the client's file transport as the standard configuration
(`OPENLINEAGE_CONFIG`) says; every event is rebuilt from its JSON with the client's own models."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    data_quality_assertions_dataset,
    data_quality_metrics_dataset,
    data_quality_metrics_input_dataset,
    error_message_run,
    job_type_job,
    output_statistics_output_dataset,
    parent_run,
    processing_engine_run,
    tags_run,
)
from openlineage.client.serde import Serde
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder
from sparkforge.runner import PipelineRunner
from sparkforge_runtime import lineage
from sparkforge_runtime.job import parse_args
from sparkforge_runtime.plan import Pipeline, Plan

RUN_FACETS = {"parent": parent_run.ParentRunFacet, "errorMessage": error_message_run.ErrorMessageRunFacet,
              "processing_engine": processing_engine_run.ProcessingEngineRunFacet,
              "tags": tags_run.TagsRunFacet}  # the client adds its version as a tag  # fmt: skip
JOB_FACETS = {"jobType": job_type_job.JobTypeJobFacet}
INPUT_FACETS = {"dataQualityAssertions": data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet,
                "dataQualityMetrics": data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet}  # fmt: skip
DATASET_FACETS = {"dataQualityAssertions": data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet,
                  "dataQualityMetrics": data_quality_metrics_dataset.DataQualityMetricsDatasetFacet}  # fmt: skip
OUTPUT_FACETS = {"outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet}
NESTED: dict[str, Callable[[Any], Any]] = {
    "assertions": lambda items: [data_quality_assertions_dataset.Assertion(**a) for a in items],
    "run": lambda d: parent_run.Run(**d),
    "job": lambda d: parent_run.Job(**d),
    "tags": lambda items: [tags_run.TagsRunFacetFields(**t) for t in items],
}


def _facet(kind: dict[str, type], name: str, body: dict[str, Any]) -> Any:
    """One facet through its client class: unknown fields raise, validators run, the schema URL
    must be the class's own."""
    cls = kind[name]
    fields = {k: NESTED[k](v) if k in NESTED else v for k, v in body.items() if not k.startswith("_")}
    facet = cls(**fields, producer=body["_producer"])
    assert body["_schemaURL"] == cls._get_schema(), name
    return facet


def _facets(kind: dict[str, type], body: dict[str, Any] | None) -> dict[str, Any]:
    return {name: _facet(kind, name, value) for name, value in (body or {}).items()}


def rebuild(event: dict[str, Any]) -> RunEvent:
    """The event as the client's models, from its JSON; `Serde.to_dict` of it must give the JSON back."""
    model = RunEvent(
        eventType=RunState(event["eventType"]), eventTime=event["eventTime"], producer=event["producer"],
        run=Run(runId=event["run"]["runId"], facets=_facets(RUN_FACETS, event["run"].get("facets"))),
        job=Job(namespace=event["job"]["namespace"], name=event["job"]["name"],
                facets=_facets(JOB_FACETS, event["job"].get("facets"))),
        inputs=[InputDataset(namespace=d["namespace"], name=d["name"], facets=_facets(DATASET_FACETS, d.get("facets")),
                             inputFacets=_facets(INPUT_FACETS, d.get("inputFacets")))
                for d in event.get("inputs", [])],
        outputs=[OutputDataset(namespace=d["namespace"], name=d["name"], facets=_facets(DATASET_FACETS, d.get("facets")),
                               outputFacets=_facets(OUTPUT_FACETS, d.get("outputFacets")))
                 for d in event.get("outputs", [])],
    )  # fmt: skip
    assert Serde.to_dict(model) == event
    return model


@pytest.fixture
def events_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The standard configuration: OPENLINEAGE_CONFIG names a file transport."""
    events = tmp_path / "events.jsonl"
    config = tmp_path / "openlineage.yml"
    config.write_text(f"transport:\n  type: file\n  log_file_path: {events}\n  append: true\n")
    monkeypatch.setenv("OPENLINEAGE_CONFIG", str(config))
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    monkeypatch.delenv("OPENLINEAGE_DISABLED", raising=False)
    return events


def read_events(path: Path) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for event in events:
        rebuild(event)
    return events


def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict[str, DataFrame]) -> DataFrame:
    return bronze_df.withColumn("amount", F.col("amount") * 2)


def total(spark: SparkSession, silvers: dict[str, DataFrame]) -> DataFrame:
    return silvers["clean"].agg(F.sum("amount").alias("total"))


def builder(spark: SparkSession, schema: str, silver_rate: float) -> PipelineBuilder:
    return (
        PipelineBuilder(spark=spark, schema=schema, min_bronze_rate=50.0, min_silver_rate=silver_rate,
                        verbose=False, pipeline_name="shop")
        .with_bronze_rules(name="orders", rules={"id": ["not_null"], "amount": []}, incremental_col="id")
        .add_silver_transform(name="clean", source_bronze="orders", transform=clean,
                              rules={"id": ["not_null"], "amount": ["positive"]}, table_name="clean")
        .add_gold_transform(name="total", source_silvers=["clean"], transform=total,
                            rules={"total": ["non_negative"]}, table_name="total")
    )  # fmt: skip


def by_job(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    jobs: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        jobs.setdefault(event["job"]["name"], []).append(event)
    return jobs


def test_each_step_and_the_run_send_start_and_complete_with_datasets_and_quality(
    spark: SparkSession, schema: str, events_file: Path
) -> None:
    orders = spark.createDataFrame([(1, 5.0), (2, 0.0), (3, 1.0), (None, 1.0)], "id long, amount double")
    runner = builder(spark, schema, silver_rate=50.0).to_pipeline()
    assert runner.lineage is None  # on because OPENLINEAGE_CONFIG is set
    assert runner.initial_load({"orders": orders}).success
    jobs = by_job(read_events(events_file))
    assert sorted(jobs) == ["shop", "shop.clean", "shop.orders", "shop.total"]
    assert all([e["eventType"] for e in events] == ["START", "COMPLETE"] for events in jobs.values())
    pipeline_run = jobs["shop"][0]["run"]["runId"]
    namespace = "file:" + spark.conf.get("spark.sql.warehouse.dir").removeprefix("file:")

    bronze_done = jobs["shop.orders"][1]
    assert bronze_done["run"]["facets"]["parent"]["run"]["runId"] == pipeline_run
    assert bronze_done["outputs"] == []
    (source,) = bronze_done["inputs"]
    assert (source["namespace"], source["name"]) == (namespace, f"{schema}.orders")
    checks = source["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert [(a["column"], a["assertion"], a["success"]) for a in checks[:-1]] == [("id", "not_null", False)]
    assert checks[-1]["name"] == "threshold" and checks[-1]["success"] is True
    assert source["inputFacets"]["dataQualityMetrics"]["rowCount"] == 4

    silver_done = jobs["shop.clean"][1]
    assert [d["name"] for d in silver_done["inputs"]] == [f"{schema}.orders"]
    (table,) = silver_done["outputs"]
    assert table["name"] == f"{schema}.clean"
    assert table["outputFacets"]["outputStatistics"]["rowCount"] == 2
    assert table["facets"]["dataQualityMetrics"]["rowCount"] == 3
    results = {a["assertion"]: a["success"] for a in table["facets"]["dataQualityAssertions"]["assertions"]}
    assert results == {"not_null": True, "positive": False, "valid_rate": True}
    assert [d["name"] for d in jobs["shop.total"][1]["inputs"]] == [f"{schema}.clean"]
    assert jobs["shop.total"][0]["outputs"][0]["name"] == f"{schema}.total"  # START names it too


def test_a_failed_step_sends_fail_with_its_error_and_its_dependents_abort(
    spark: SparkSession, schema: str, events_file: Path
) -> None:
    orders = spark.createDataFrame([(1, 5.0), (2, 0.0)], "id long, amount double")
    declared = builder(spark, schema, silver_rate=90.0)
    runner = PipelineRunner(spark, declared.build(), declared, lineage=True)  # asked for explicitly
    result = runner.initial_load({"orders": orders})
    assert not result.success
    jobs = by_job(read_events(events_file))
    assert [e["eventType"] for e in jobs["shop.clean"]] == ["START", "FAIL"]
    error = jobs["shop.clean"][1]["run"]["facets"]["errorMessage"]
    assert error["message"].startswith("[silver:clean] validation 50.00% below required 90.00%")
    assert error["programmingLanguage"] == "python"
    failed = jobs["shop.clean"][1]["outputs"][0]
    assert "outputStatistics" not in failed.get("outputFacets", {})
    assert failed["facets"]["dataQualityAssertions"]["assertions"][-1]["success"] is False
    assert [e["eventType"] for e in jobs["shop.total"]] == ["ABORT"]
    assert [e["eventType"] for e in jobs["shop"]] == ["START", "FAIL"]


def test_lineage_is_off_without_configuration_and_can_be_refused(
    monkeypatch: pytest.MonkeyPatch, events_file: Path
) -> None:
    assert lineage.wanted(None) and not lineage.wanted(False)
    monkeypatch.delenv("OPENLINEAGE_CONFIG")
    assert not lineage.wanted(None) and lineage.listeners(None) == ()
    monkeypatch.setenv("OPENLINEAGE_URL", "http://127.0.0.1:5000")
    assert lineage.wanted(None)


def test_the_job_takes_lineage_options() -> None:
    pipeline, plan = Pipeline("p"), Plan(())
    assert parse_args(pipeline, plan, []).lineage is None
    assert parse_args(pipeline, plan, ["--lineage"]).lineage is True
    assert parse_args(pipeline, plan, ["--no-lineage"]).lineage is False


def test_without_the_client_lineage_asked_for_is_an_error_and_configured_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, events_file: Path
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_openlineage(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("openlineage"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openlineage)
    with pytest.raises(lineage.LineageUnavailable, match=r"pip install 'sparkforge\[lineage\]'"):
        lineage.listeners(True)
    assert lineage.listeners(None) == ()
    assert "OpenLineage is configured but its client is missing" in caplog.text


JOB_PIPELINE = '''\
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder


def clean(spark, bronze_df, prior_silvers):
    return bronze_df.withColumn("amount", F.col("amount") * 2)


def build(spark):
    return (
        PipelineBuilder(spark=spark, schema="{schema}", min_silver_rate=50.0, pipeline_name="shop")
        .with_bronze_rules(name="orders", rules={{"id": ["not_null"], "amount": []}})
        .add_silver_transform(name="clean", source_bronze="orders", transform=clean,
                              rules={{"amount": ["positive"]}}, table_name="clean")
    )
'''


def test_the_compiled_job_sends_the_same_events_with_lineage(
    spark: SparkSession, schema: str, events_file: Path, tmp_path: Path
) -> None:
    import importlib.util

    from sparkforge.compiler.api import CompileOptions, compile_source

    source = tmp_path / "landing"
    spark.createDataFrame([(1, 5.0), (2, -1.0)], "id long, amount double").write.parquet(str(source))
    compiled = compile_source(JOB_PIPELINE.format(schema=schema), "pipeline.py", CompileOptions())
    assert compiled.source is not None, compiled.diagnostics
    (tmp_path / "job.py").write_text(compiled.source)
    spec = importlib.util.spec_from_file_location("lineage_job", tmp_path / "job.py")
    assert spec is not None and spec.loader is not None
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    argv = ["--mode", "initial", "--source", f"orders=parquet:{source}"]
    assert job.main([*argv, "--no-lineage"]) == 0 and not events_file.exists()
    assert job.main([*argv, "--lineage"]) == 0
    jobs = by_job(read_events(events_file))
    assert {name: [e["eventType"] for e in events] for name, events in jobs.items()} == {
        "shop": ["START", "COMPLETE"], "shop.orders": ["START", "COMPLETE"],
        "shop.clean": ["START", "COMPLETE"],
    }  # fmt: skip
    (landing,) = jobs["shop.orders"][1]["inputs"]
    assert (landing["namespace"], landing["name"]) == ("file", str(source))
    assert [d["name"] for d in jobs["shop.clean"][1]["inputs"]] == [str(source)]
    assert jobs["shop.clean"][1]["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] == 1
