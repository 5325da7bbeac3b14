"""OpenLineage run events for each step, built from what the scheduler tells its listeners.

Input: the run and each step starting and finishing, and the steps' outcomes. Output: events sent
through the official `openlineage-python` client (`lineage.listeners` creates the listener when
lineage is on; this module is loaded only then). What the events hold: lineage.py.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import SparkSession

import sparkforge_runtime
from sparkforge_runtime.outcome import RunReport, Status, StepOutcome
from sparkforge_runtime.plan import Pipeline, Plan, Step

PRODUCER = f"https://github.com/sparkforge/sparkforge/tree/{sparkforge_runtime.__version__}/runtime"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _namespace(spark: SparkSession) -> str:
    """Where the tables live: the warehouse's URI (`file:/...`, `s3://bucket/...`)."""
    warehouse = spark.conf.get("spark.sql.warehouse.dir", None) or "spark_catalog"
    return warehouse if "://" in warehouse or ":" in warehouse else f"file:{warehouse}"


def _path_dataset(source: str) -> tuple[str, str] | None:
    """(namespace, name) of a source given as a path (`parquet:/data/x`, `s3://b/x`), else None."""
    head, sep, rest = source.partition(":")
    path = rest if sep and head.isalpha() and len(head) > 1 and not rest.startswith("//") else source
    if "://" in path:
        scheme, _, tail = path.partition("://")
        authority, _, key = tail.partition("/")
        return f"{scheme}://{authority}", "/" + key
    if path.startswith("/") or path.startswith("."):
        return "file", os.path.abspath(path)
    return None


class LineageListener:
    """Turns the scheduler's notifications into OpenLineage events (see the module docstring)."""

    def __init__(self, client: Any = None) -> None:
        from openlineage.client import OpenLineageClient  # the optional extra: imported only here

        self.client = client if client is not None else OpenLineageClient()
        self.lock = threading.Lock()
        self.step_runs: dict[str, str] = {}
        self.reads: dict[str, list[tuple[str, str]]] = {}  # step -> the datasets it stands for

    # ---- the scheduler's notifications ---------------------------------------------------------
    def run_started(self, spark: SparkSession, pipeline: Pipeline, plan: Plan, report: RunReport,
                    sources: Mapping[str, Any]) -> None:  # fmt: skip
        self.pipeline, self.plan, self.report = pipeline, plan, report
        self.namespace = _namespace(spark)
        self.job_namespace = os.environ.get("OPENLINEAGE_NAMESPACE", "sparkforge")
        self.spark_version = spark.version
        for s in plan.steps:
            self.reads[s.name] = self._stands_for(s, sources)
        self._emit("START", self._run_id(), pipeline.name, "PIPELINE", facets=self._engine())

    def step_started(self, step: Step, outcome: StepOutcome) -> None:
        self._emit_step("START", step, outcome)

    def step_finished(self, step: Step, outcome: StepOutcome) -> None:
        kind = {Status.COMPLETED: "COMPLETE", Status.FAILED: "FAIL", Status.CANCELLED: "ABORT"}
        self._emit_step(kind[outcome.status], step, outcome)

    def run_finished(self, report: RunReport) -> None:
        facets = self._engine()
        if not report.success:
            facets["errorMessage"] = self._error(report.error_message or "a step was cancelled", None)
        kind = "COMPLETE" if report.success else "FAIL"
        self._emit(kind, self._run_id(), self.pipeline.name, "PIPELINE", facets=facets)

    # ---- datasets ------------------------------------------------------------------------------
    def _stands_for(self, s: Step, sources: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The datasets a step's rows come from (bronze: its source) or go to (its table)."""
        if s.info.layer != "bronze":
            return [(self.namespace, s.info.table)]
        bound = sources.get(s.name)
        if isinstance(bound, str):
            return [_path_dataset(bound) or (self.namespace, bound)]
        return [(self.namespace, s.info.table)]

    def _inputs(self, step: Step) -> list[tuple[str, str]]:
        if step.info.layer == "bronze" or not step.info.writes:
            return self.reads.get(step.name, [])
        found = [d for name in step.info.after for d in self.reads.get(name, [])]
        return list(dict.fromkeys(found))

    def _datasets(self, step: Step, outcome: StepOutcome, finished: bool) -> tuple[list[Any], list[Any]]:
        from openlineage.client.event_v2 import InputDataset, OutputDataset
        from openlineage.client.facet_v2 import output_statistics_output_dataset as stats

        validated = finished and (outcome.ok or outcome.error_type == "ThresholdError")
        checked_input = step.info.layer == "bronze" or not step.info.writes
        inputs = [
            InputDataset(namespace=ns, name=name,
                         inputFacets=self._quality(outcome, True) if validated and checked_input else {})
            for ns, name in self._inputs(step)
        ]  # fmt: skip
        if not step.info.writes:
            return inputs, []
        out_facets: dict[str, Any] = {}
        if finished and outcome.ok and step.info.write_mode(self.report.mode) is not None:
            out_facets["outputStatistics"] = stats.OutputStatisticsOutputDatasetFacet(
                rowCount=outcome.rows_written, producer=PRODUCER
            )
        quality = self._quality(outcome, False) if validated else {}
        output = OutputDataset(namespace=self.namespace, name=step.info.table, facets=quality,
                               outputFacets=out_facets)  # fmt: skip
        return inputs, [output]

    def _quality(self, outcome: StepOutcome, as_input: bool) -> dict[str, Any]:
        """The step's validation: one assertion per rule (and its threshold), and the rows it
        checked; as input facets for a bronze step's source, else as facets of the output."""
        from openlineage.client.facet_v2 import data_quality_assertions_dataset as dqa
        from openlineage.client.facet_v2 import data_quality_metrics_dataset as dqm_output
        from openlineage.client.facet_v2 import data_quality_metrics_input_dataset as dqm_input

        assertions = [
            dqa.Assertion(assertion=r.label.partition(":")[2] or r.label, success=r.failed_rows == 0,
                          column=r.column, name=r.label, actual=str(r.failed_rows), expected="0")
            for r in outcome.rule_counts
        ]
        threshold = dqa.Assertion(assertion="valid_rate", success=outcome.validation_rate >= outcome.threshold,
                                  expected=f">= {outcome.threshold:g}", actual=f"{outcome.validation_rate:.2f}",
                                  severity="error", name="threshold")  # fmt: skip
        return {
            "dataQualityAssertions": dqa.DataQualityAssertionsDatasetFacet(
                assertions=[*assertions, threshold], producer=PRODUCER
            ),
            "dataQualityMetrics": (
                dqm_input.DataQualityMetricsInputDatasetFacet if as_input
                else dqm_output.DataQualityMetricsDatasetFacet
            )(columnMetrics={}, rowCount=outcome.input_rows, producer=PRODUCER),
        }

    # ---- events --------------------------------------------------------------------------------
    def _run_id(self, step: str | None = None) -> str:
        from openlineage.client.uuid import generate_new_uuid

        key = step or ""
        with self.lock:
            if key not in self.step_runs:
                self.step_runs[key] = str(generate_new_uuid())
            return self.step_runs[key]

    def _engine(self) -> dict[str, Any]:
        from openlineage.client.facet_v2 import processing_engine_run

        return {"processing_engine": processing_engine_run.ProcessingEngineRunFacet(
            version=self.spark_version, name="spark",
            openlineageAdapterVersion=f"sparkforge {sparkforge_runtime.__version__}", producer=PRODUCER,
        )}  # fmt: skip

    def _error(self, message: str, trace: str | None) -> Any:
        from openlineage.client.facet_v2 import error_message_run

        return error_message_run.ErrorMessageRunFacet(message=message, programmingLanguage="python",
                                                      stackTrace=trace, producer=PRODUCER)  # fmt: skip

    def _emit_step(self, kind: str, step: Step, outcome: StepOutcome) -> None:
        from openlineage.client.facet_v2 import parent_run

        facets: dict[str, Any] = {
            **self._engine(),
            "parent": parent_run.ParentRunFacet(
                run=parent_run.Run(runId=self._run_id()),
                job=parent_run.Job(namespace=self.job_namespace, name=self.pipeline.name),
                producer=PRODUCER,
            ),
        }
        if kind in ("FAIL", "ABORT") and outcome.error_message:
            facets["errorMessage"] = self._error(outcome.error_message, outcome.error_trace)
        inputs, outputs = self._datasets(step, outcome, finished=kind != "START")
        name = f"{self.pipeline.name}.{step.name}"
        self._emit(kind, self._run_id(step.name), name, "STEP", facets=facets, inputs=inputs, outputs=outputs)

    def _emit(self, kind: str, run_id: str, job: str, job_type: str, *, facets: dict[str, Any],
              inputs: list[Any] | None = None, outputs: list[Any] | None = None) -> None:  # fmt: skip
        from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
        from openlineage.client.facet_v2 import job_type_job

        job_facets: dict[str, Any] = {"jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="SPARKFORGE", jobType=job_type,
            producer=PRODUCER,
        )}  # fmt: skip
        event = RunEvent(
            eventType=RunState[kind], eventTime=_now(), producer=PRODUCER,
            run=Run(runId=run_id, facets=facets),
            job=Job(namespace=self.job_namespace, name=job, facets=job_facets),
            inputs=inputs or [], outputs=outputs or [],
        )  # fmt: skip
        self.client.emit(event)


__all__ = ["LineageListener"]
