from pyspark.sql import functions as F


def clean(spark, bronze_df, prior_silvers):
    return bronze_df
