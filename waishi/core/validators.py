from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIRST_DATE, LAST_DATE = date(1950, 1, 1), date(2100, 12, 31)


def plausible_date(value: date) -> None:
    """Dates of the office's work: a typo such as year 0202 is refused, not computed with."""
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s.") % {"first": FIRST_DATE, "last": LAST_DATE}
        )
