"""Chinese working days: chinese-calendar's holidays and make-up workdays, overridden date by date by
WorkdayOverride rows, and Monday to Friday for the years the package does not know."""

import datetime as dt

import chinese_calendar
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waishi.core.models import WorkdayOverride
from waishi.core.workdays import add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db

D = dt.date
DB_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def known_year(year: int) -> bool:
    try:
        chinese_calendar.is_workday(D(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def days(start: dt.date, end: dt.date):
    return [start + dt.timedelta(n) for n in range((end - start).days + 1)]


def test_national_day_2024():
    for day in days(D(2024, 10, 1), D(2024, 10, 7)):
        assert not is_workday(day), day
    assert D(2024, 9, 29).weekday() == 6 and is_workday(D(2024, 9, 29))  # Sunday, made up
    assert D(2024, 10, 12).weekday() == 5 and is_workday(D(2024, 10, 12))  # Saturday, made up
    assert not is_workday(D(2024, 9, 28))  # an ordinary Saturday
    assert is_workday(D(2024, 10, 8))


def test_workdays_between_across_national_day():
    # 9-29 (Sun, made up), 9-30, then 10-8 to 10-12 (Sat, made up).
    assert workdays_between(D(2024, 9, 28), D(2024, 10, 13)) == 7
    assert workdays_between(D(2024, 9, 28), D(2024, 10, 13)) == len(
        chinese_calendar.get_workdays(D(2024, 9, 28), D(2024, 10, 13))
    )
    assert workdays_between(D(2024, 10, 1), D(2024, 10, 7)) == 0
    assert workdays_between(D(2024, 10, 8), D(2024, 10, 8)) == 1
    assert workdays_between(D(2024, 10, 8), D(2024, 10, 7)) == 0


def test_add_workdays_across_national_day():
    # From Friday 9-27: 9-29, 9-30, 10-8, 10-9, 10-10.
    assert add_workdays(D(2024, 9, 27), 5) == D(2024, 10, 10)
    expected = chinese_calendar.get_workdays(D(2024, 9, 28), D(2024, 10, 31))[4]
    assert add_workdays(D(2024, 9, 27), 5) == expected
    assert add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 8)
    assert add_workdays(D(2024, 10, 3), 0) == D(2024, 10, 3)


def test_override_changes_the_answer():
    WorkdayOverride.objects.create(date=D(2024, 10, 8), kind="holiday", name="地方假日")
    WorkdayOverride.objects.create(date=D(2024, 10, 5), kind="workday", name="调休上班")
    assert not is_workday(D(2024, 10, 8))
    assert is_workday(D(2024, 10, 5))
    # 9-29, 9-30, 10-5, 10-9, 10-10.
    assert add_workdays(D(2024, 9, 27), 5) == D(2024, 10, 10)
    assert add_workdays(D(2024, 9, 27), 3) == D(2024, 10, 5)
    assert workdays_between(D(2024, 9, 28), D(2024, 10, 13)) == 7  # one gained, one lost
    WorkdayOverride.objects.filter(date=D(2024, 10, 5)).delete()
    assert add_workdays(D(2024, 9, 27), 5) == D(2024, 10, 11)
    assert workdays_between(D(2024, 9, 28), D(2024, 10, 13)) == 6


def test_override_beyond_the_first_lookup_window_is_seen():
    """A month of local holidays pushes the search past the window first read; overrides there count."""
    for day in days(D(2030, 3, 1), D(2030, 3, 31)):
        WorkdayOverride.objects.create(date=day, kind="holiday")
    assert add_workdays(D(2030, 2, 28), 1) == D(2030, 4, 1)
    WorkdayOverride.objects.filter(date=D(2030, 3, 25)).update(kind="workday")
    assert add_workdays(D(2030, 2, 28), 1) == D(2030, 3, 25)
    assert add_workdays(D(2030, 2, 28), 2) == D(2030, 4, 1)


@pytest.mark.parametrize("year", [2003, 2027, 2035])
def test_years_outside_the_calendar_fall_back_to_monday_to_friday(year):
    assert not known_year(year)
    start = D(year, 1, 1)
    for day in days(start, start + dt.timedelta(20)):
        assert is_workday(day) == (day.weekday() < 5), day
    # January 1st is a holiday only where the calendar is known: here it counts when it is a weekday.
    monday = start + dt.timedelta(-start.weekday() % 7)
    assert add_workdays(monday, 5) == monday + dt.timedelta(7)
    assert workdays_between(monday, monday + dt.timedelta(13)) == 10


def test_range_spanning_a_known_and_an_unknown_year():
    last_known = max(year for year in range(2004, 2040) if known_year(year))
    start, end = D(last_known, 12, 25), D(last_known + 1, 1, 10)
    expected = sum(
        chinese_calendar.is_workday(day) if day.year == last_known else day.weekday() < 5
        for day in days(start, end)
    )
    assert workdays_between(start, end) == expected


dates = st.dates(min_value=D(2003, 1, 1), max_value=D(2028, 12, 31))


@DB_SETTINGS
@given(start=dates, length=st.integers(0, 70))
def test_workdays_between_is_the_calendars_count(start, length):
    end = start + dt.timedelta(length)
    assert workdays_between(start, end) == sum(is_workday(day) for day in days(start, end))
    if known_year(start.year) and known_year(end.year):
        assert workdays_between(start, end) == len(chinese_calendar.get_workdays(start, end))


@DB_SETTINGS
@given(
    start=dates,
    count=st.integers(0, 40),
    overrides=st.dictionaries(st.integers(0, 90), st.sampled_from(["workday", "holiday"]), max_size=8),
)
def test_add_workdays_lands_on_a_workday_n_workdays_later(start, count, overrides):
    with transaction.atomic():
        for offset, kind in overrides.items():
            WorkdayOverride.objects.create(date=start + dt.timedelta(offset), kind=kind)
        end = add_workdays(start, count)
        if count == 0:
            assert end == start
        else:
            assert end > start
            assert is_workday(end)
            assert workdays_between(start + dt.timedelta(1), end) == count
            assert workdays_between(start + dt.timedelta(1), end - dt.timedelta(1)) == count - 1
        transaction.set_rollback(True)
