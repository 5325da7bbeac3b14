"""A small shop pipeline for runner tests: 2 bronze, 3 silver (with a depends_on chain), 2 gold."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sparkforge import PipelineBuilder

ORDERS = "order_id int, customer_id int, amount double, ts timestamp"
CUSTOMERS = "customer_id int, country string"


def orders_df(spark: SparkSession, ids: range, bad: set[int] = frozenset()) -> DataFrame:  # type: ignore[assignment]
    rows = [
        (i, i % 5, -1.0 if i in bad else float(i + 1), f"2025-01-01 00:{i // 60:02d}:{i % 60:02d}")
        for i in ids
    ]
    return spark.createDataFrame(rows, "order_id int, customer_id int, amount double, ts string").withColumn(
        "ts", F.to_timestamp("ts")
    )


def customers_df(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([(i, ["US", "DE", "FR"][i % 3]) for i in range(5)], CUSTOMERS)


def clean_orders(spark: SparkSession, bronze_df: DataFrame, prior: dict[str, DataFrame]) -> DataFrame:
    return bronze_df.withColumn("amount_cents", (F.col("amount") * 100).cast("long"))


def clean_customers(spark: SparkSession, bronze_df: DataFrame, prior: dict[str, DataFrame]) -> DataFrame:
    return bronze_df.withColumn("country", F.upper("country"))


def orders_by_country(spark: SparkSession, bronze_df: DataFrame, prior: dict[str, DataFrame]) -> DataFrame:
    return prior["clean_orders"].join(prior["clean_customers"], "customer_id")


def revenue(spark: SparkSession, silvers: dict[str, DataFrame]) -> DataFrame:
    return silvers["clean_orders"].agg(F.sum("amount").alias("revenue"), F.count("*").alias("n"))


def country_revenue(spark: SparkSession, silvers: dict[str, DataFrame]) -> DataFrame:
    return silvers["orders_by_country"].groupBy("country").agg(F.sum("amount").alias("revenue"))


def build(spark: SparkSession, schema: str, **options: Any) -> PipelineBuilder:
    options = {"min_bronze_rate": 50.0, "min_silver_rate": 50.0, "min_gold_rate": 50.0, "verbose": False, **options}
    return (
        PipelineBuilder(spark=spark, schema=schema, **options)
        .with_bronze_rules(name="orders", rules={"order_id": ["not_null"], "customer_id": ["not_null"], "amount": [], "ts": ["not_null"]}, incremental_col="ts")
        .with_bronze_rules(name="customers", rules={"customer_id": ["not_null"], "country": ["not_empty"]})
        .add_silver_transform(
            name="clean_orders", source_bronze="orders", transform=clean_orders,
            rules={"order_id": ["not_null"], "customer_id": [], "amount": ["positive"], "ts": ["not_null"]},
            table_name="clean_orders", watermark_col="ts",
        )
        .add_silver_transform(
            name="clean_customers", source_bronze="customers", transform=clean_customers,
            rules={"customer_id": ["not_null"], "country": ["not_null"]}, table_name="clean_customers",
        )
        .add_silver_transform(
            name="orders_by_country", source_bronze="orders", transform=orders_by_country,
            depends_on=["clean_orders", "clean_customers"],
            rules={"order_id": ["not_null"], "country": ["not_null"], "amount": [], "ts": []},
            table_name="orders_by_country", watermark_col="ts",
        )
        .add_gold_transform(
            name="revenue", source_silvers=["clean_orders"], transform=revenue,
            rules={"revenue": ["non_negative"], "n": []}, table_name="revenue",
        )
        .add_gold_transform(
            name="country_revenue", source_silvers=["orders_by_country"], transform=country_revenue,
            rules={"country": ["not_null"], "revenue": []}, table_name="country_revenue",
        )
    )
