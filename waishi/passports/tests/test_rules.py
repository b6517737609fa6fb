"""The two trip rules that read the custody ledger (DOMAIN.md): ``unit.locked`` (a unit holding a document
overdue more than 30 days cannot file) and ``passport.valid`` (each member holds a document of the right
kind valid 6 months after the return)."""

from datetime import date, timedelta

import pytest

from waishi.core.errors import ApplicationError
from waishi.core.services import office_setting_set
from waishi.passports.choices import Custody
from waishi.passports.tests import factories as f
from waishi.travel import rules
from waishi.travel import services as travel_services
from waishi.travel.choices import TripState
from waishi.travel.tests import factories as travel_factories


@pytest.fixture(autouse=True)
def fast(settings, tmp_path):
    f.speed_up(settings)
    settings.MEDIA_ROOT = tmp_path / "media"


def findings(trip, code: str) -> list:
    return [finding for finding in rules.check(trip) if finding.code == code]


# --- unit.locked -----------------------------------------------------------------------------------------


@pytest.fixture
def application(world):
    """A new application of unit A (a draft with one member who is not the late holder)."""
    return f.trip([f.holder(world.unit_a)], state=TripState.DRAFT, depart=f.today() + timedelta(days=40))


@pytest.mark.parametrize(
    ("days_overdue", "locked"), [(1, False), (29, False), (30, False), (31, True), (90, True)]
)
def test_a_unit_is_locked_from_day_31_after_the_due_date(world, application, days_overdue, locked):
    late = f.holder(world.unit_a, name="冯志远")
    document, _trip = f.out_since(world, late, due=f.today() - timedelta(days=days_overdue))
    assert document.state_on(f.today()) == "overdue"
    found = findings(application, "unit.locked")
    if locked:
        assert [(x.severity, x.fields) for x in found] == [("block", ("applicant_unit",))]
        assert "冯志远" in found[0].message
        assert rules.blocking(rules.check(application))
    else:
        assert found == []


def test_returning_the_document_lifts_the_lock(world, application):
    late = f.holder(world.unit_a)
    document, _trip = f.out_since(world, late, due=f.today() - timedelta(days=45))
    assert findings(application, "unit.locked")
    f.take_back(world, document, on=f.today())
    assert findings(application, "unit.locked") == []


def test_a_document_lost_while_overdue_does_not_lock_the_unit(world, application):
    from waishi.passports import services

    late = f.holder(world.unit_a)
    document, _trip = f.out_since(world, late, due=f.today() - timedelta(days=45))
    services.document_report_lost(
        actor=f.officer(world), document=document, on=f.today(), note="遗失", reported_by="a", received_by="b"
    )
    assert findings(application, "unit.locked") == []


def test_only_the_unit_that_holds_the_document_is_locked(world):
    f.out_since(world, f.holder(world.unit_a), due=f.today() - timedelta(days=31))
    other_unit = f.trip([f.holder(world.unit_a2)], state=TripState.DRAFT)
    elsewhere = f.trip([f.holder(world.unit_b)], state=TripState.DRAFT)
    assert findings(other_unit, "unit.locked") == []
    assert findings(elsewhere, "unit.locked") == []


def test_the_lock_days_come_from_the_office(world, application):
    office_setting_set(
        actor=f.user(world, "fao_leader"), office=world.city_a, key="passports.lock.days", value=10
    )
    f.out_since(world, f.holder(world.unit_a), due=f.today() - timedelta(days=11))
    assert findings(application, "unit.locked")


def test_submission_is_refused_while_the_unit_is_locked(world):
    trip = travel_factories.make_trip(world, state=TripState.SIGNED_OFF)
    clerk = travel_factories.clerk(world)
    late = f.holder(world.unit_a, name="冯志远")
    document, _out = f.out_since(world, late, due=f.today() - timedelta(days=31))
    with pytest.raises(ApplicationError) as caught:
        travel_services.trip_submit(actor=clerk, trip=trip)
    assert caught.value.code == "blocked"
    blocking = [x for x in caught.value.extra["findings"] if x["severity"] == "block"]
    assert [x["code"] for x in blocking] == ["unit.locked"]
    trip.refresh_from_db()
    assert trip.state == TripState.SIGNED_OFF

    f.take_back(world, document, on=f.today())
    submitted = travel_services.trip_submit(actor=clerk, trip=trip)
    assert submitted.state == TripState.SUBMITTED


# --- passport.valid --------------------------------------------------------------------------------------

RETURN = date(2026, 6, 19)
NEEDED = date(2026, 12, 19)  # 6 months after the return


@pytest.fixture
def members(world):
    return [f.holder(world.unit_a, name="陈光明"), f.holder(world.unit_a, name="何丽娟")]


def valid_finding(members, category="abroad"):
    trip = f.trip(members, depart=RETURN - timedelta(days=4), return_=RETURN, category=category)
    found = findings(trip, "passport.valid")
    assert all(x.severity == "warn" for x in found)
    return found


def test_warns_when_a_member_has_no_document(members):
    f.document(members[0], expires=NEEDED)
    found = valid_finding(members)
    assert len(found) == 1
    assert "何丽娟" in found[0].message and "陈光明" not in found[0].message
    assert found[0].fields == ("members",)


def test_the_warning_reads_naturally_in_both_languages(members):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert "有效期至2026年12月19日" in valid_finding(members)[0].message  # a Chinese date, not ISO
    with translation.override("en"):
        both = valid_finding(members)[0].message
        f.document(members[0], expires=NEEDED)
        one = valid_finding(members)[0].message
    assert "hold no official document" in both and "(s)" not in both
    assert one.startswith("何丽娟 holds no official document")


def test_no_warning_when_every_member_holds_a_valid_document(members):
    f.document(members[0], kind="service", expires=NEEDED)
    f.document(members[1], kind="diplomatic", expires=NEEDED + timedelta(days=400))
    assert valid_finding(members) == []


def test_warns_when_the_document_expires_within_six_months_of_the_return(members):
    f.document(members[0], expires=NEEDED)
    f.document(members[1], expires=NEEDED - timedelta(days=1))
    found = valid_finding(members)
    assert len(found) == 1 and "何丽娟" in found[0].message


def test_the_document_must_fit_the_trip(members):
    f.document(members[0], kind="hkmo_permit", expires=NEEDED)
    f.document(members[1], kind="official_ordinary", expires=NEEDED)
    abroad = valid_finding(members)
    assert len(abroad) == 1 and "陈光明" in abroad[0].message and "何丽娟" not in abroad[0].message
    hkmo = valid_finding(members, category="hkmo")
    assert len(hkmo) == 1 and "何丽娟" in hkmo[0].message and "陈光明" not in hkmo[0].message


@pytest.mark.parametrize("custody", [Custody.LOST, Custody.CANCELLED])
def test_a_lost_or_cancelled_document_does_not_count(members, custody):
    f.document(members[0], expires=NEEDED)
    f.document(members[1], expires=NEEDED, custody=custody)
    found = valid_finding(members)
    assert len(found) == 1 and "何丽娟" in found[0].message


def test_a_document_out_on_another_trip_still_counts(world, members):
    f.document(members[0], expires=NEEDED)
    f.out_since(world, members[1], due=f.today() + timedelta(days=3), expires=NEEDED)
    assert valid_finding(members) == []


def test_the_months_come_from_the_office(world, members):
    office_setting_set(
        actor=f.user(world, "fao_leader"), office=world.city_a, key="passports.valid.months", value=3
    )
    f.document(members[0], expires=date(2026, 9, 19))
    f.document(members[1], expires=date(2026, 9, 18))
    found = valid_finding(members)
    assert len(found) == 1 and "何丽娟" in found[0].message
