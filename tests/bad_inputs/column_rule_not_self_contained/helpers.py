def is_valid(column):
    return column.isNotNull()
