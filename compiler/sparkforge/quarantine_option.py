"""The `quarantine=` option of the builder: checked once, resolved to a table name per step.

Input: the constructor's `quarantine=` (bool: every step) and a step's own `quarantine=` (None: as the
pipeline says; True: `<table>_quarantine`; False: off; a name: that table, in the step's schema when
unqualified). Output: the quarantine table of a step, or None. The builder and the compiler (SF213)
apply the same checks.

    Step("orders", BRONZE, quarantine=True), schema "shop"  ->  "shop.orders_quarantine"
    Step("clean", SILVER, quarantine="bad_rows")              ->  "shop.bad_rows"
"""

from __future__ import annotations

from sparkforge.builder_checks import StepContext, check_identifier
from sparkforge.exceptions import ConfigurationError
from sparkforge.ir import Settings, Step
from sparkforge.step_fields import table_fqn

SUFFIX = "_quarantine"


def check_pipeline_quarantine(value: object) -> bool:
    """The constructor's `quarantine=`: True or False."""
    if not isinstance(value, bool):
        raise ConfigurationError(f"quarantine must be True or False, got {value!r}",
                                 suggestions=("name a table per step with quarantine='...' on the step",))  # fmt: skip
    return value


def check_quarantine(value: object, ctx: StepContext | None) -> bool | str | None:
    """A step's `quarantine=`: None, True, False or a safe table name (`table` or `schema.table`)."""
    if value is None or isinstance(value, bool):
        return value
    if not isinstance(value, str) or not value.strip():
        message = f"quarantine must be True, False or a table name, got {value!r}"
        if ctx is None:
            raise ConfigurationError(message)
        raise ctx.error(message, ("e.g. quarantine=True, or quarantine='orders_quarantine'",))
    return check_identifier("table", value, ctx)


def quarantine_table(step: Step, settings: Settings) -> str | None:
    """The table a step's invalid rows go to; None when it keeps none (or validates an existing table)."""
    option = step.quarantine if step.quarantine is not None else settings.quarantine
    if step.existing or option is None or option is False:
        return None
    if option is True:
        return f"{table_fqn(step, settings)}{SUFFIX}"
    schema = step.schema or settings.schema
    return option if "." in option or not schema else f"{schema}.{option}"
