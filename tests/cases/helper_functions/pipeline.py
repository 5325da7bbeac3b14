# -*- coding: latin-1 -*-
"""Rules, names and settings built by helper functions of this file and of `rule_library.py` beside
it; a Column rule from a small helper, copied into the job. Saved as Latin-1 (the declaration above)."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from rule_library import between, valid_email
from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()

BASE = {"schema": "sf_helpers", "min_bronze_rate": 80.0}
OVERRIDES = dict(min_silver_rate=90.0, pipeline_name="crm_contacts")
# Contacts ("Kontakte", "contacts reçus")
KEYS = ["contact_id", "account_id"]


def not_null(columns, extra=()):
    rules = {}
    for column in [*columns, *extra]:
        rules[column] = ["not_null"]
    return rules


def table(name):
    return clean_name if (clean_name := name.strip().lower()) else "unnamed"


def settings(**changes):
    return {**BASE, **OVERRIDES, **changes}


def clean(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df.withColumn("email", F.lower(F.trim("email")))


builder = PipelineBuilder(spark=spark, **settings(max_parallel_workers=2))
builder.with_bronze_rules(
    name="contacts",
    rules={**not_null(KEYS), "email": [], "age": [between("age", 0, 130)]},
)
builder.add_silver_transform(
    name="clean_contacts",
    transform=clean,
    rules={**not_null(KEYS, extra=("email",)), "email": [valid_email(F.col("email"))]},
    table_name=table(" Clean_Contacts "),
)
