"""Every kind of rule item: shorthand, nested and flat operators, SQL strings, Column expressions."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkforge import PipelineBuilder

spark = SparkSession.builder.getOrCreate()


def payments(spark: SparkSession, bronze_df: DataFrame, prior_silvers: dict) -> DataFrame:
    return bronze_df


builder = (
    PipelineBuilder(spark=spark, schema="payments", filter_columns_by_rules=False)
    .with_bronze_rules(
        name="raw_payments",
        rules={
            "payment_id": ["not_null", F.col("payment_id").isNotNull()],
            "amount": ["positive", ["lt", 1000000], "amount = round(amount, 2)"],
            "fee": ["non_negative", ["lte", 50.5]],
            "currency": [["in", ["EUR", "USD", "GBP"]], ["ne", "XXX"]],
            "method": [["not_in", ["cheque"]], ["like", "c%"]],
            "installments": ["between", 1, 12],
            "attempt": [["gte", 1], ["gt", 0], ["eq", 1]],
            "refunded": [["eq", False]],
            "status": ["not_empty", F.col("status").isin("ok", "pending")],
            "card_last4": ["non_zero", "length(card_last4) = 4"],
        },
    )
    .add_silver_transform(
        name="payments",
        transform=payments,
        rules={"payment_id": [F.col("payment_id") > 0], "amount": ["amount > 0 AND amount < 1e6"]},
        table_name="payments",
    )
)
