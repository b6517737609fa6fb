"""The activity classifier (rules.py): the 12- and 36-month boundaries, how signing counts, offices with
their own thresholds, and the SQL annotation held to the Python rule on random histories."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waishi.core.services import office_setting_set
from waishi.partners import rules
from waishi.partners.choices import Activity, PartnerLevel
from waishi.partners.config import ACTIVE_MONTHS, SIGNING_COUNTS
from waishi.partners.models import Partnership
from waishi.partners.rules import Thresholds, classify, months_before
from waishi.partners.tests import factories as f

AS_OF = date(2024, 6, 30)
LONG_AGO = date(1950, 1, 1)
DEFAULT = Thresholds.default()


def sql_activity(partnership, as_of):
    return Partnership.objects.with_activity(as_of).get(pk=partnership.pk).activity


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 6, 30), 12, date(2023, 6, 30)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2024, 6, 30), 36, date(2021, 6, 30)),
        (date(2024, 1, 15), 13, date(2022, 12, 15)),
        (date(2024, 1, 15), -1, date(2024, 2, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_defaults_are_domain_md():
    assert Thresholds(12, 36, "substantive") == DEFAULT


# --- the boundaries, in Python and in SQL ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("exchange_day", "expected"),
    [
        (date(2023, 7, 1), Activity.ACTIVE),  # within the last 12 months
        (date(2023, 6, 30), Activity.OCCASIONAL),  # exactly 12 months before: no longer
        (AS_OF, Activity.ACTIVE),
    ],
)
def test_active_boundary_at_12_months(world, exchange_day, expected):
    p = f.partnership(world.city_a, signed_on=LONG_AGO)
    f.exchange(p, exchange_day, substantive=True)
    assert classify(AS_OF, [(exchange_day, True)], [LONG_AGO], DEFAULT) == expected
    assert sql_activity(p, AS_OF) == expected


@pytest.mark.parametrize(
    ("exchange_day", "expected"),
    [
        (date(2021, 7, 1), Activity.OCCASIONAL),  # within 36 months
        (date(2021, 6, 30), Activity.DORMANT),  # exactly 36 months before: dormant
    ],
)
def test_dormant_boundary_at_36_months(world, exchange_day, expected):
    p = f.partnership(world.city_a, signed_on=LONG_AGO)
    f.exchange(p, exchange_day, substantive=False)
    assert classify(AS_OF, [(exchange_day, False)], [LONG_AGO], DEFAULT) == expected
    assert sql_activity(p, AS_OF) == expected


def test_a_courtesy_letter_keeps_a_partnership_out_of_dormancy_but_does_not_make_it_active(world):
    p = f.partnership(world.city_a, signed_on=LONG_AGO)
    f.exchange(p, date(2024, 6, 1), substantive=False)
    f.exchange(p, date(2020, 1, 1), substantive=True)
    assert sql_activity(p, AS_OF) == Activity.OCCASIONAL


def test_no_exchange_ever_is_dormant_and_exchanges_after_the_date_do_not_count(world):
    p = f.partnership(world.city_a, signed_on=LONG_AGO)
    f.exchange(p, AS_OF + timedelta(days=1))
    assert sql_activity(p, AS_OF) == Activity.DORMANT
    assert sql_activity(p, AS_OF + timedelta(days=1)) == Activity.ACTIVE


def test_before_its_signing_a_partnership_has_no_class(world):
    p = f.partnership(world.city_a, signed_on=date(2024, 1, 15), level=PartnerLevel.INTENT)
    assert sql_activity(p, date(2024, 1, 14)) is None
    assert classify(date(2024, 1, 14), [], [date(2024, 1, 15)], DEFAULT) is None


def test_signing_counts_as_a_substantive_exchange_by_default(world):
    p = f.partnership(world.city_a, signed_on=date(2024, 1, 15), level=PartnerLevel.INTENT)
    assert sql_activity(p, AS_OF) == Activity.ACTIVE
    assert sql_activity(p, date(2025, 1, 15)) == Activity.OCCASIONAL  # 12 months on, nothing since
    assert sql_activity(p, date(2027, 1, 15)) == Activity.DORMANT


def test_a_level_change_is_a_signing(world):
    p = f.partnership(
        world.city_a,
        level=PartnerLevel.FRIENDLY,
        signed_on=LONG_AGO,
        history=[(PartnerLevel.SISTER, date(2024, 3, 1))],
    )
    assert sql_activity(p, AS_OF) == Activity.ACTIVE
    assert sql_activity(p, date(2024, 2, 29)) == Activity.DORMANT


def test_signing_as_contact_only_when_the_office_says_so(world):
    leader = world.user("fao_leader")
    office_setting_set(actor=leader, office=world.city_a, key=SIGNING_COUNTS.key, value="contact")
    p = f.partnership(world.city_a, signed_on=date(2024, 1, 15), level=PartnerLevel.INTENT)
    assert sql_activity(p, AS_OF) == Activity.OCCASIONAL
    assert sql_activity(p, date(2027, 1, 14)) == Activity.OCCASIONAL
    assert sql_activity(p, date(2027, 1, 15)) == Activity.DORMANT
    f.exchange(p, date(2024, 5, 1), substantive=True)
    assert sql_activity(p, AS_OF) == Activity.ACTIVE


def test_each_office_is_classified_with_its_own_settings(world):
    """One queryset across two offices with different thresholds (the province's user sees both)."""
    leader = world.user("fao_leader", world.city_b)
    office_setting_set(actor=leader, office=world.city_b, key=ACTIVE_MONTHS.key, value=24)
    a = f.partnership(world.city_a, signed_on=LONG_AGO)
    b = f.partnership(world.city_b, signed_on=LONG_AGO)
    for p in (a, b):
        f.exchange(p, date(2023, 1, 1))
    rows = dict(Partnership.objects.with_activity(AS_OF).values_list("pk", "activity"))
    assert rows == {a.pk: Activity.OCCASIONAL, b.pk: Activity.ACTIVE}
    assert rules.Thresholds.for_office(world.city_b).active_months == 24


def test_a_setting_of_the_superior_office_applies_below(world):
    leader = world.user("fao_leader", world.province)
    office_setting_set(actor=leader, office=world.province, key=ACTIVE_MONTHS.key, value=6)
    p = f.partnership(world.city_a, signed_on=LONG_AGO)
    f.exchange(p, date(2023, 10, 1))
    assert sql_activity(p, AS_OF) == Activity.OCCASIONAL


def test_turns_dormant_on():
    assert rules.turns_dormant_on(date(2021, 7, 1), DEFAULT) == date(2024, 7, 1)
    assert rules.turns_dormant_on(date(2024, 2, 29), DEFAULT) == date(2027, 3, 1)


# --- hypothesis -----------------------------------------------------------------------------------------

days = st.dates(min_value=date(2001, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=200, deadline=None)
@given(as_of=days, months=st.integers(min_value=1, max_value=60))
def test_boundary_for_any_date_in_python(as_of, months):
    """An exchange exactly ``months`` before is outside the window; the day after is inside."""
    thresholds = Thresholds(months, max(months, 36), "substantive")
    edge = months_before(as_of, months)
    assert classify(as_of, [(edge, True)], [LONG_AGO], thresholds) != Activity.ACTIVE
    assert classify(as_of, [(edge + timedelta(days=1), True)], [LONG_AGO], thresholds) == Activity.ACTIVE
    dormant_edge = months_before(as_of, thresholds.dormant_months)
    assert classify(as_of, [(dormant_edge, False)], [LONG_AGO], thresholds) == Activity.DORMANT
    assert (
        classify(as_of, [(dormant_edge + timedelta(days=1), False)], [LONG_AGO], thresholds)
        == Activity.OCCASIONAL
    )


@settings(max_examples=100, deadline=None)
@given(
    as_of=days,
    exchanges=st.lists(st.tuples(days, st.booleans()), max_size=5),
    extra=st.tuples(days, st.booleans()),
)
def test_one_more_exchange_never_lowers_the_class(as_of, exchanges, extra):
    order = {None: -1, Activity.DORMANT: 0, Activity.OCCASIONAL: 1, Activity.ACTIVE: 2}
    before = classify(as_of, exchanges, [LONG_AGO], DEFAULT)
    after = classify(as_of, [*exchanges, extra], [LONG_AGO], DEFAULT)
    assert order[after] >= order[before]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    as_of=days,
    signed=days,
    raised=st.one_of(st.none(), days),
    exchanges=st.lists(st.tuples(days, st.booleans()), max_size=6),
)
def test_sql_annotation_agrees_with_the_python_rule(world, as_of, signed, raised, exchanges):
    history = [(PartnerLevel.SISTER, raised)] if raised and raised >= signed else []
    with transaction.atomic():
        p = f.partnership(world.city_a, level=PartnerLevel.FRIENDLY, signed_on=signed, history=history)
        for day, substantive in exchanges:
            f.exchange(p, day, substantive=substantive)
        signings = [signed] + [day for _level, day in history]
        expected = classify(as_of, exchanges, signings, DEFAULT)
        annotated = Partnership.objects.with_activity(as_of).get(pk=p.pk)
        transaction.set_rollback(True)
    assert annotated.activity == expected
    seen = [day for day, _s in exchanges if day <= as_of]
    assert annotated.last_exchange == (max(seen) if seen else None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(as_of=days)
def test_sql_boundaries_for_any_date(world, as_of):
    with transaction.atomic():
        inside = f.partnership(world.city_a, signed_on=LONG_AGO)
        outside = f.partnership(world.city_a, signed_on=LONG_AGO)
        f.exchange(inside, months_before(as_of, 12) + timedelta(days=1))
        f.exchange(outside, months_before(as_of, 12))
        dormant = f.partnership(world.city_a, signed_on=LONG_AGO)
        f.exchange(dormant, months_before(as_of, 36), substantive=False)
        rows = dict(Partnership.objects.with_activity(as_of).values_list("pk", "activity"))
        transaction.set_rollback(True)
    assert rows[inside.pk] == Activity.ACTIVE
    assert rows[outside.pk] == Activity.OCCASIONAL
    assert rows[dormant.pk] == Activity.DORMANT
