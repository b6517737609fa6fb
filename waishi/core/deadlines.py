"""Deadline specifications as configured: ``"7d"`` (calendar days), ``"15wd"`` (Chinese working days),
``"1m"`` (calendar months, clamped to the month's end)."""

import calendar
import re
from datetime import date, timedelta

from waishi.core.workdays import add_workdays

SPEC = re.compile(r"^(\d{1,4})(d|wd|m)$")


def is_valid(spec: str) -> bool:
    return isinstance(spec, str) and SPEC.match(spec) is not None


def due_date(start: date, spec: str) -> date:
    match = SPEC.match(spec)
    if match is None:
        raise ValueError(f"not a deadline specification: {spec!r}")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return start + timedelta(days=count)
    if unit == "wd":
        return add_workdays(start, count)
    month_index = start.month - 1 + count
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
