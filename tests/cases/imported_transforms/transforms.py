"""Transforms kept in a module beside the pipeline; the compiler copies what the job needs."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

MIN_QUANTITY = 1


def _positive_lines(df: DataFrame) -> DataFrame:
    return df.filter(F.col("quantity") >= MIN_QUANTITY)


def clean_lines(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return _positive_lines(bronze_df).withColumn("line_total", F.col("quantity") * F.col("price"))


def product_sales(spark: SparkSession, silvers: dict) -> DataFrame:
    return silvers["order_lines"].groupBy("sku").agg(F.sum("line_total").alias("sales"))


def unused(spark: SparkSession, silvers: dict) -> DataFrame:
    raise NotImplementedError
