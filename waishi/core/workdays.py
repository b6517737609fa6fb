"""Chinese working days: statutory holidays and make-up workdays from chinese-calendar,
overridden date by date by ``WorkdayOverride`` rows an administrator keeps."""

from datetime import date, timedelta

import chinese_calendar

from waishi.core.choices import DayKind
from waishi.core.models import WorkdayOverride


def _overrides(start: date, end: date) -> dict[date, bool]:
    rows = WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "kind")
    return {day: kind == DayKind.WORKDAY for day, kind in rows}


def _calendar_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # chinese-calendar knows the years the State Council has announced; beyond them, weekdays.
        return day.weekday() < 5


def is_workday(day: date) -> bool:
    return _overrides(day, day).get(day, _calendar_workday(day))


def workdays_between(start: date, end: date) -> int:
    """Working days from ``start`` to ``end``, both included (0 when end is before start)."""
    if end < start:
        return 0
    overrides = _overrides(start, end)
    days = (start + timedelta(n) for n in range((end - start).days + 1))
    return sum(1 for day in days if overrides.get(day, _calendar_workday(day)))


def all_overrides() -> dict[date, bool]:
    """Every override (a few a year), read once by a caller that adds working days to many dates."""
    return _overrides(date.min, date.max)


def add_workdays(start: date, count: int, overrides: dict[date, bool] | None = None) -> date:
    """The date ``count`` working days after ``start`` (``start`` itself not counted). ``overrides``: those
    of ``all_overrides()``, else the ones around ``start`` are read."""
    day, remaining = start, count
    window = max(14, count * 3)
    known = _overrides(start, start + timedelta(window)) if overrides is None else overrides
    while remaining > 0:
        day += timedelta(1)
        if overrides is None and day > start + timedelta(window):
            window *= 2
            known = _overrides(start, start + timedelta(window))
        if known.get(day, _calendar_workday(day)):
            remaining -= 1
    return day
