"""Amounts of money as finance staff read them: two decimals, "," between groups of three (28,500.00).

``money()`` is the one way an amount is written for a reader: pages (the ``money`` template filter of
``waishi_money``), tables (``waishi.core.tables.MoneyColumn``), printed and Word documents, rule
messages. It does not follow the language's THOUSAND_SEPARATOR (Django's Simplified Chinese has none)
nor USE_THOUSAND_SEPARATOR, which would also group years and ids. Exports and the API keep the number.

``MoneyField`` marks a model field as money, so that generic pages (a record's detail, its change log)
show it so.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.db import models

CENT = Decimal("0.01")
PLACEHOLDER = "—"


def money(value, empty: str = PLACEHOLDER) -> str:
    """``value`` (a Decimal, int, float or numeric string) rounded half up to the cent and written with
    "," grouping: ``Decimal("-28500") → "-28,500.00"``; ``empty`` for None or "". A number that is not
    finite reads as Decimal writes it ("NaN", "Infinity", "-Infinity"): a page shows it rather than fails.
    A value that is no number raises ValueError (TypeError for one of no numeric type)."""
    if value is None or value == "":
        return empty
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, float):
        value = repr(value)  # the shortest decimal that reads back as the float: 2.675, not 2.67499…
    try:
        amount = Decimal(value)
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not an amount") from error
    if not amount.is_finite():
        return str(amount)
    with localcontext() as context:
        # Every digit kept, however large: the whole digits, one more that rounding may carry, the cents.
        context.prec = max(context.prec, amount.adjusted() + 4)
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if not amount:
        amount = abs(amount)  # -0.004 reads 0.00, not -0.00
    return f"{amount:,.2f}"


class MoneyField(models.DecimalField):
    """A DecimalField that holds money; pages show it with ``money()``. Migrations see the DecimalField
    it is (``deconstruct``), so marking a field as money changes no migration and no column."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
