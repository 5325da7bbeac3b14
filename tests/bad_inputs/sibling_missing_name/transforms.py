def clean_orders(spark, bronze_df, prior_silvers):
    return bronze_df
