from django import template

from waishi.core import money as amounts

register = template.Library()


@register.filter(is_safe=True)
def money(value, empty=amounts.PLACEHOLDER):
    """``{{ amount|money }}`` → 28,500.00 in every language; "—" (or ``|money:"…"``) for None. A value
    that is no number is shown as it is."""
    try:
        return amounts.money(value, empty)
    except (TypeError, ValueError):
        return value
