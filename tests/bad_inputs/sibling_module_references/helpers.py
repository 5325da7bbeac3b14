def dedupe(df):
    return df.dropDuplicates()


def normalise(df):
    return df
