import json

from sparkforge import PipelineBuilder


def table_names(path):
    with open(path) as handle:
        return json.load(handle)["tables"]


def rules_for(table):
    return {f"{table}_id": ["not_null"]}


builder = PipelineBuilder(spark=spark, schema="shop")
for table in table_names("tables.json"):
    builder.with_bronze_rules(name=table, rules=rules_for(table))
