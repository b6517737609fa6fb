import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from waishi.core.testing.factories import PersonFactory
from waishi.passports.filtersets import TravelDocumentFilterSet
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


# --- the custodian filter of the document list -------------------------------------------------------------


def custodian_options(response) -> list[str] | None:
    """The values the list's custodian filter offers (not the empty one); None when it is not shown."""
    html = response.content.decode()
    select = re.search(r'<select name="custodian"[^>]*>(.*?)</select>', html, re.S)
    if select is None:
        return None
    return [value for value in re.findall(r'<option value="([^"]*)"', select.group(1)) if value]


def kept_document(unit, name: str, number: str, custodian, kind: str = "service") -> TravelDocument:
    """A valid document of a holder of ``unit``, kept by ``custodian``."""
    return TravelDocument.objects.create(
        person=PersonFactory(organization=unit, name=name),
        kind=kind,
        number=number,
        issued=datetime.date(2022, 1, 1),
        expires=datetime.date(2032, 1, 1),
        custodian=custodian,
    )


@pytest.fixture
def kept(world):
    """Documents as they are usually kept: unit A's by city A's office, and one by unit A itself; unit A2's
    by city A's office; unit B's by city B's office."""
    return {
        "office": kept_document(world.unit_a, "持照人乙", "SE7654321", world.city_a),
        "unit": kept_document(world.unit_a, "持照人丙", "G7654321", world.unit_a, kind="hkmo_permit"),
        "a2": kept_document(world.unit_a2, "持照人丁", "SE7654322", world.city_a),
        "b": kept_document(world.unit_b, "持照人戊", "SE7654323", world.city_b),
    }


def listed(response) -> set[str]:
    html = response.content.decode()
    return {name for name in ("持照人乙", "持照人丙", "持照人丁", "持照人戊") if name in html}


def test_a_unit_clerk_filters_his_documents_by_the_office_that_keeps_them(client, world, kept):
    """The office above his unit keeps most of his people's documents: it is offered, with his unit (which
    keeps one), and choosing it lists the documents it keeps of his unit, not another unit's."""
    client.force_login(world.user("unit_clerk"))
    url = reverse("passports:traveldocument_list")
    response = client.get(url)
    assert custodian_options(response) == [str(world.city_a.pk), str(world.unit_a.pk)]
    assert listed(response) == {"持照人乙", "持照人丙"}
    by_office = client.get(url, {"custodian": world.city_a.pk})
    assert "invalid-feedback" not in by_office.content.decode()
    assert listed(by_office) == {"持照人乙"}
    assert listed(client.get(url, {"custodian": world.unit_a.pk})) == {"持照人丙"}


def test_a_unit_clerk_whose_documents_one_office_keeps_has_no_custodian_filter(client, world, kept):
    """Unit A2's only document is kept by city A's office: the filter cannot narrow the clerk's list and is
    left out, as the other such filters; a bookmark naming it still gets the list."""
    client.force_login(world.user("unit_clerk", world.unit_a2))
    url = reverse("passports:traveldocument_list")
    assert custodian_options(client.get(url)) is None
    assert listed(client.get(url, {"custodian": world.city_a.pk})) == {"持照人丁"}


@pytest.mark.parametrize("role", ["fao_staff", "passport_officer"])
def test_an_offices_staff_choose_among_the_custodians_of_their_documents(client, world, kept, role):
    client.force_login(world.user(role))
    url = reverse("passports:traveldocument_list")
    assert custodian_options(client.get(url)) == [str(world.city_a.pk), str(world.unit_a.pk)]
    assert listed(client.get(url, {"custodian": world.city_a.pk})) == {"持照人乙", "持照人丁"}
    assert listed(client.get(url, {"custodian": world.unit_a.pk})) == {"持照人丙"}
    other = client.get(url, {"custodian": world.city_b.pk})
    assert "invalid-feedback" in other.content.decode()  # another city's office is refused, as before


@pytest.mark.parametrize("role", ["unit_clerk", "fao_staff"])
def test_no_custodian_of_documents_the_user_cannot_see_is_offered(client, world, kept, role):
    """City B's clerk and staff are offered city B's office at most, never city A's or unit A's: not on the
    list, not in the search of its select, not through the API, where another office is refused."""
    user = world.user(role, world.unit_b if role == "unit_clerk" else world.city_b)
    client.force_login(user)
    url = reverse("passports:traveldocument_list")
    assert custodian_options(client.get(url)) in (None, [str(world.city_b.pk)])
    assert listed(client.get(url, {"custodian": world.city_a.pk})) == {"持照人戊"}
    search = reverse("core:record_choices", args=[TravelDocumentFilterSet.search_key, "custodian"])
    found = {row["value"] for row in client.get(search, {"q": "外办"}).json()["results"]}
    assert found == {str(world.city_b.pk)}
    api = reverse("api:traveldocument-list")
    assert client.get(api, {"custodian": world.city_a.pk}).status_code == 400
    rows = client.get(api, {"custodian": world.city_b.pk}).json()["results"]
    assert [row["id"] for row in rows] == [kept["b"].pk]


def test_a_role_that_sees_no_documents_is_offered_no_custodian(client, world, kept):
    """The system administrator sees the organizations but no document: the search of the custodian select
    finds none of them (it read the organizations before)."""
    client.force_login(world.user("system_admin", world.city_a))
    assert client.get(reverse("passports:traveldocument_list")).status_code == 403
    search = reverse("core:record_choices", args=[TravelDocumentFilterSet.search_key, "custodian"])
    assert client.get(search, {"q": "外办"}).json()["results"] == []


def test_the_api_filters_a_unit_clerks_documents_by_the_office_that_keeps_them(client, world, kept):
    client.force_login(world.user("unit_clerk"))
    rows = client.get(reverse("api:traveldocument-list"), {"custodian": world.city_a.pk}).json()["results"]
    assert [row["id"] for row in rows] == [kept["office"].pk]


@pytest.mark.parametrize("role", ["unit_clerk", "fao_staff"])
def test_the_custodians_are_read_once(client, world, kept, role):
    """Seeing whether the custodian filter can narrow the list reads its choices as its select lists them:
    one query of them, however many documents."""
    client.force_login(world.user(role))
    url = reverse("passports:traveldocument_list")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    choices = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "directory_organization"') and '"custodian_id"' in q["sql"]
    ]
    assert len(choices) == 1, choices
