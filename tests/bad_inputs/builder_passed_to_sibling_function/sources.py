def add_bronze(builder, name):
    builder.with_bronze_rules(name=name, rules={"id": ["not_null"]})
    return builder
