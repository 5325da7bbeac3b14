LIMIT = 10


def clean(spark, bronze_df, prior_silvers):
    return bronze_df.limit(LIMIT)
