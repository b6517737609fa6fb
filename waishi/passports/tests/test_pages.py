import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from waishi.core.testing.factories import PersonFactory
from waishi.passports.models import TravelDocument

NUMBER = "SE1234567"


@pytest.fixture
def document(world):
    person = PersonFactory(organization=world.unit_a, name="持照人甲")
    return TravelDocument.objects.create(
        person=person,
        kind="service",
        number=NUMBER,
        issued=datetime.date(2022, 1, 1),
        expires=datetime.date(2032, 1, 1),
        custodian=world.city_a,
    )


@pytest.mark.parametrize("role", ["passport_officer", "fao_staff", "unit_clerk", "viewer"])
def test_no_page_shows_the_full_number(client, world, document, role):
    client.force_login(world.user(role))
    urls = [
        document.get_absolute_url(),
        reverse("passports:traveldocument_list"),
        reverse("passports:custody"),
        reverse("passports:traveldocument_changelog", args=[document.pk]),
        reverse("passports:figures"),
        reverse("api:traveldocument-list"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content if hasattr(response, "content") else b"".join(response.streaming_content)
        assert NUMBER.encode() not in body, url
    export = client.get(reverse("passports:traveldocument_export"))
    assert NUMBER.encode() not in b"".join(export.streaming_content)


def test_figures_for_an_office_and_a_period(client, world, document):
    client.force_login(world.user("passport_officer"))
    response = client.get(
        reverse("passports:figures"), {"office": world.city_a.pk, "from": "2026-01-01", "to": "2026-12-31"}
    )
    assert response.status_code == 200
    assert response.context["office"] == world.city_a
    assert response.context["collection"].denominator == 0
    other = client.get(reverse("passports:figures"), {"office": world.city_b.pk})
    assert other.context["office"] is None  # another city's office is not offered: the user's own scope


def test_an_overdue_document_is_in_the_unit_clerks_work_queue(world, document):
    from waishi.core.navigation import work_queue
    from waishi.travel.models import Trip, TripMember

    trip = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission="x",
        state="returned_home",
        depart_date=datetime.date(2026, 1, 5),
        return_date=datetime.date(2026, 1, 9),
    )
    TripMember.objects.create(trip=trip, person=document.person, role="head")
    TravelDocument.objects.filter(pk=document.pk).update(
        custody="checked_out", trip=trip, due_date=datetime.date(2026, 1, 16)
    )
    for role in ("unit_clerk", "passport_officer"):
        with CaptureQueriesContext(connection) as queries:
            titles = [item.title for item in work_queue(world.user(role)).items if item.overdue]
        assert any("持照人甲" in title for title in titles), role
        # The items name the holder; his own encrypted numbers are not read (nor decrypted).
        assert not any('"id_number"' in q["sql"] or '"phone"' in q["sql"] for q in queries), role
    assert not any("持照人甲" in i.title for i in work_queue(world.user("unit_clerk", world.unit_b)).items)


def test_the_application_page_says_why_a_unit_is_locked(client, world, document):
    from waishi.travel.models import Trip, TripMember

    past = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission="x",
        state="returned_home",
        depart_date=datetime.date(2025, 1, 5),
        return_date=datetime.date(2025, 1, 9),
    )
    TripMember.objects.create(trip=past, person=document.person, role="head")
    TravelDocument.objects.filter(pk=document.pk).update(
        custody="checked_out", trip=past, due_date=datetime.date(2025, 1, 16)
    )
    draft = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission="y",
        depart_date=datetime.date(2027, 5, 1),
        return_date=datetime.date(2027, 5, 3),
    )
    client.force_login(world.user("unit_clerk"))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-code="unit.locked"' in page and "持照人甲" in page


def test_border_flags_show_on_the_documents_page(client, world, document):
    from waishi.passports.models import CustodyMovement
    from waishi.travel.models import Trip, TripEvent, TripMember

    trip = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission="x",
        state="returned_home",
        depart_date=datetime.date(2026, 1, 5),
        return_date=datetime.date(2026, 1, 9),
    )
    TripMember.objects.create(trip=trip, person=document.person, role="head")
    CustodyMovement.objects.create(
        document=document,
        kind="check_out",
        date=datetime.date(2026, 1, 2),
        trip=trip,
        due_date=datetime.date(2026, 1, 16),
        handed_over_by="a",
        received_by="b",
    )
    TripEvent.objects.create(
        trip=trip,
        action="come_back",
        to_state="returned_home",
        detail={"flags": {str(document.person_id): [{"code": "late_return", "days": 2}]}},
    )
    client.force_login(world.user("passport_officer"))
    page = client.get(document.get_absolute_url()).content.decode()
    assert 'id="border-flags"' in page
