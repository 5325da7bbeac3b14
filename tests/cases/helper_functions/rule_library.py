"""Column rules shared by pipelines."""

from pyspark.sql import functions as F

EMAIL = r"^[^@\s]+@[^@\s]+\.[a-z]+$"


def valid_email(column):
    return column.rlike(EMAIL)


def between(name, low, high):
    return F.col(name).between(low, high)
