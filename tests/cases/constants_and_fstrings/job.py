r"""Pipeline 'staging-marketing': a sparkforge job for Spark and Delta Lake.

Compiled by sparkforge 0.1.0 from pipeline.py (sha256 043f4c28a2e5641bf84e7fab730b5cbf58da0a92f2e1c2e62f6233f243ed5120).
Do not edit; regenerate with `sparkforge compile pipeline.py -o job.py`.

Steps: 1 bronze, 1 silver in 2 stages.

Run it with:

    spark-submit \
      --packages io.delta:delta-spark_4.1_2.13:4.4.0 \
      --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
      --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
      --conf spark.sql.adaptive.optimizer.excludedRules=org.apache.spark.sql.execution.adaptive.AQEPropagateEmptyRelation \
      --conf spark.scheduler.mode=FAIR \
      --py-files sparkforge_runtime.zip \
      job.py --mode incremental

Modes: initial | incremental (default) | full-refresh | validation-only.
Bind a bronze input with --source NAME=TABLE_OR_PATH; `python job.py --help` lists every option.
"""

from __future__ import annotations

import sys

from sparkforge_runtime.job import run_job
from sparkforge_runtime.plan import Pipeline, Plan, step
from sparkforge_runtime.rules import Rule
from sparkforge_runtime.verbs import StepRun

# pipeline.py:3
from pyspark.sql import DataFrame, SparkSession

# pipeline.py:4
from pyspark.sql import functions as F


# pipeline.py:18
def campaigns(
    spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict
) -> DataFrame:
    return bronze_df.withColumn("budget", F.coalesce("budget", F.lit(0.0)))


def raw_campaigns_rules() -> tuple[Rule, ...]:
    """Rules of bronze step 'raw_campaigns' (pipeline.py:31)."""
    return (
        Rule("campaign_id", "not_null", F.col("campaign_id").isNotNull()),
        Rule("budget", "non_negative", F.col("budget") >= 0),
    )


# pipeline.py:31
@step("bronze", "raw_campaigns", table="staging_marketing.raw_campaigns")
def bronze_raw_campaigns(run: StepRun) -> DataFrame:
    """Reads staging_marketing.raw_campaigns, or the input bound with --source
    raw_campaigns=....

    Below 85% valid rows it fails; then campaigns is cancelled.
    """
    df = run.read("staging_marketing.raw_campaigns")
    checked = run.validate(df, raw_campaigns_rules(), keep=("campaign_id", "budget"))
    run.gate(checked, min_rate=85.0)
    return checked.valid


# Clean campaigns for staging.
# pipeline.py:32
@step(
    "silver",
    "campaigns",
    table="staging_marketing.campaigns_clean",
    after=("raw_campaigns",),
    initial="overwrite",
    incremental="overwrite",
    full_refresh="overwrite",
)
def silver_campaigns(run: StepRun) -> DataFrame:
    """raw_campaigns -> staging_marketing.campaigns_clean: recomputed and replaced
    in every run.

    It is never skipped: it replaces its table from the whole of its inputs in
    every run.

    Below 98% valid rows it fails and writes nothing.
    """
    raw_campaigns = run.output("raw_campaigns")
    priors = run.declared({}, argument="depends_on")
    df = campaigns(run.spark, raw_campaigns, priors)
    checked = run.validate(df, raw_campaigns_rules(), keep=("campaign_id", "budget"))
    run.gate(checked, min_rate=98.0)
    run.publish(checked)
    return checked.valid


PIPELINE = Pipeline(
    name="staging-marketing",
    log_table="staging_marketing.run_log",
    table_format="delta",
    source="pipeline.py",
    source_hash="043f4c28a2e5641bf84e7fab730b5cbf58da0a92f2e1c2e62f6233f243ed5120",
    compiled_with="0.1.0",
    runtime_requires=">=0.1.0,<0.2",
    script="job.py",
)


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; `--help` lists the options.

    Steps run stage by stage; a failed step writes nothing and cancels the steps
    that need it (its docstring names them), the others still run. Exit code:
    0 every step completed, 1 a step failed, 2 bad arguments or environment.
    """
    plan = Plan(
        stages=(
            (bronze_raw_campaigns,),  # stage 1
            (silver_campaigns,),  # stage 2
        ),
        parallel=True,
        max_workers=3,
        unified=False,
    )
    return run_job(PIPELINE, plan, argv)


if __name__ == "__main__":
    sys.exit(main())
