import datetime

from django.apps import apps

from waishi.core.models import Notification
from waishi.core.testing.factories import PersonFactory
from waishi.travel.models import Trip, TripMember

WAISHI_APPS = {"core", "directory", "users", "travel", "passports", "partners"}


def test_every_model_has_restrict():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in WAISHI_APPS and not hasattr(model.objects, "restrict")
    ]
    assert missing == []


def make_trip(unit):
    trip = Trip.objects.create(
        applicant_unit=unit,
        office=unit.office(),
        category="abroad",
        mission="x",
        depart_date=datetime.date(2026, 5, 1),
        return_date=datetime.date(2026, 5, 3),
    )
    TripMember.objects.create(trip=trip, person=PersonFactory(organization=unit), role="head")
    return trip


def test_rows_of_a_record_follow_the_records_scope_and_permissions(world):
    mine, theirs = make_trip(world.unit_a), make_trip(world.unit_b)
    clerk = world.user("unit_clerk")
    assert {m.trip_id for m in TripMember.objects.restrict(clerk)} == {mine.pk}
    assert {m.trip_id for m in TripMember.objects.restrict(world.user("fao_staff", world.province))} == {
        mine.pk,
        theirs.pk,
    }
    assert not TripMember.objects.restrict(world.user("audit_admin", world.province)).exists()


def test_notifications_are_their_recipients_only(world):
    clerk, staff = world.user("unit_clerk"), world.user("fao_staff")
    Notification.objects.create(recipient=clerk, title="a")
    Notification.objects.create(recipient=staff, title="b")
    assert [n.title for n in Notification.objects.restrict(clerk)] == ["a"]
