import helpers
from helpers import normalise as norm
from sparkforge.models import WriteMode


def clean(spark, bronze_df, prior_silvers):
    mode = WriteMode.APPEND
    return helpers.dedupe(bronze_df).transform(norm)
