"""Travel documents over the REST API (API.md "Travel documents"): scope and permissions, registration and
every movement through the API, the refusals of the services as error bodies, the filters, and no full
number in any answer (QUALITY.md Security 9)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from waishi.core.models import AuditLog
from waishi.core.testing.views import ApiTests
from waishi.passports.choices import MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.tests import factories as f
from waishi.travel.choices import TripState
from waishi.users.choices import Role


@pytest.fixture(autouse=True)
def fast(settings):
    f.speed_up(settings)


class TestTravelDocumentApi(ApiTests):
    basename = "traveldocument"
    allowed_role = "passport_officer"
    denied_role = "system_admin"

    def make(self, world, organization):
        unit = world.unit_a if organization == world.city_a else world.unit_b
        return f.document(f.holder(unit), custodian=organization)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def url(action: str, document=None) -> str:
    if action == "list":
        return reverse("api:traveldocument-list")
    return reverse(f"api:traveldocument-{action}", args=[document.pk])


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


READ_FIELDS = {
    "id",
    "person",
    "kind",
    "number_masked",
    "issued",
    "expires",
    "authority",
    "custodian",
    "state",
    "due_date",
    "trip",
}


# --- the journey -----------------------------------------------------------------------------------------


def test_register_check_out_and_return_through_the_api(world):
    officer = f.officer(world)
    api = client_for(officer)
    person = f.holder(world.unit_a, name="周建国")
    response = api.post(
        url("list"),
        {
            "person": person.pk,
            "kind": "service",
            "number": "se 1234-5678",
            "issued": "2022-03-01",
            "expires": "2032-02-28",
            "custodian": world.city_a.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == READ_FIELDS
    assert created["number_masked"] == "S******678"
    assert (created["state"], created["due_date"], created["trip"]) == ("in_custody", None, None)
    document = TravelDocument.objects.get(pk=created["id"])
    assert document.number == "SE12345678"
    deposit = document.movements.get()
    assert (deposit.kind, deposit.date, deposit.handed_over_by, deposit.received_by) == (
        MovementKind.DEPOSIT,
        f.today(),
        "周建国",
        str(officer),
    )

    journey = f.trip([person])
    response = api.post(url("check-out", document), {"trip": journey.pk}, format="json")
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["state"], out["trip"]) == ("checked_out", journey.pk)
    assert out["due_date"] == (journey.return_date + timedelta(days=7)).isoformat()
    check_out = document.movements.get(kind=MovementKind.CHECK_OUT)
    assert (check_out.date, check_out.handed_over_by, check_out.received_by) == (
        f.today(),
        str(officer),
        "周建国",
    )

    back_on = journey.return_date + timedelta(days=2)
    response = api.post(url("return", document), {"date": back_on.isoformat()}, format="json")
    assert response.status_code == 200, response.content
    back = response.json()
    assert (back["state"], back["due_date"], back["trip"]) == ("in_custody", None, None)
    returned = document.movements.get(kind=MovementKind.RETURN)
    assert (returned.date, returned.handed_over_by, returned.received_by, returned.trip) == (
        back_on,
        "周建国",
        str(officer),
        journey,
    )
    assert document.movements.get(kind=MovementKind.CHECK_OUT).returned_on == back_on
    assert AuditLog.objects.filter(object_id=str(document.pk), action__startswith="passport.").count() == 3


def test_registration_with_names_and_date_given(world):
    officer = f.officer(world)
    person = f.holder(world.unit_a)
    response = client_for(officer).post(
        url("list"),
        {
            "person": person.pk,
            "kind": "hkmo_permit",
            "number": "G12345678",
            "issued": "2022-03-01",
            "expires": "2032-02-28",
            "custodian": world.city_a.pk,
            "handed_over_by": "办公室王科长",
            "received_by": "保管员李娜",
            "date": "2026-01-05",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    movement = CustodyMovement.objects.get(document_id=response.json()["id"])
    assert (movement.handed_over_by, movement.received_by, movement.date.isoformat()) == (
        "办公室王科长",
        "保管员李娜",
        "2026-01-05",
    )


def test_registration_errors(world):
    api = client_for(f.officer(world))
    person = f.holder(world.unit_a)
    body = {
        "person": person.pk,
        "kind": "service",
        "number": "SE7654321",
        "issued": "2022-03-01",
        "expires": "2032-02-28",
        "custodian": world.city_a.pk,
    }
    assert api.post(url("list"), body, format="json").status_code == 201
    assert_error(api.post(url("list"), body, format="json"), 400, "duplicate")
    # the same number, written differently, is the same document
    assert_error(api.post(url("list"), body | {"number": "se-7654321"}, format="json"), 400, "duplicate")
    errors = assert_error(
        api.post(url("list"), body | {"number": "SE1111111", "expires": "2021-01-01"}, format="json"), 400
    )["extra"]["errors"]
    assert errors
    errors = assert_error(api.post(url("list"), body | {"kind": "consular"}, format="json"), 400, "invalid")
    assert "kind" in errors["extra"]["errors"]
    # a holder of another city does not exist for this officer
    other = f.holder(world.unit_b)
    errors = assert_error(api.post(url("list"), body | {"person": other.pk}, format="json"), 400, "invalid")
    assert "person" in errors["extra"]["errors"]
    assert TravelDocument.objects.count() == 1


def test_registration_and_movements_need_the_keep_permission(world):
    document = f.document(f.holder(world.unit_a))
    journey = f.trip([document.person])
    for role in ("viewer", "unit_clerk", "fao_staff"):
        api = client_for(f.user(world, role))
        assert_error(api.post(url("list"), {}, format="json"), 403)
        assert_error(api.post(url("check-out", document), {"trip": journey.pk}, format="json"), 403)
        assert_error(api.post(url("return", document), {"date": "2026-01-01"}, format="json"), 403)
    assert not CustodyMovement.objects.exists()


def test_another_citys_document_is_404_for_movements(world):
    document = f.document(f.holder(world.unit_b))
    api = client_for(f.officer(world))
    assert_error(api.post(url("deposit", document), {}, format="json"), 404)
    assert_error(api.post(url("cancel", document), {"date": "2026-01-01", "note": "x"}, format="json"), 404)


# --- refusals ---------------------------------------------------------------------------------------------


def test_second_check_out_of_the_same_document_is_409(world):
    document = f.document(f.holder(world.unit_a))
    journey = f.trip([document.person])
    api = client_for(f.officer(world))
    assert api.post(url("check-out", document), {"trip": journey.pk}, format="json").status_code == 200
    body = assert_error(api.post(url("check-out", document), {"trip": journey.pk}, format="json"), 409)
    assert body["code"] in {"wrong_state", "already_moved"}
    assert document.movements.filter(kind=MovementKind.CHECK_OUT).count() == 1


def test_a_passport_does_not_fit_a_hong_kong_trip(world):
    document = f.document(f.holder(world.unit_a), kind="official_ordinary")
    journey = f.trip([document.person], category="hkmo")
    response = client_for(f.officer(world)).post(
        url("check-out", document), {"trip": journey.pk}, format="json"
    )
    assert_error(response, 400, "wrong_kind")
    permit = f.document(document.person, kind="hkmo_permit")
    response = client_for(f.officer(world)).post(
        url("check-out", permit), {"trip": journey.pk}, format="json"
    )
    assert response.status_code == 200, response.content


def test_a_permit_does_not_fit_a_trip_abroad(world):
    permit = f.document(f.holder(world.unit_a), kind="hkmo_permit")
    journey = f.trip([permit.person])
    response = client_for(f.officer(world)).post(
        url("check-out", permit), {"trip": journey.pk}, format="json"
    )
    assert_error(response, 400, "wrong_kind")


def test_the_holder_must_be_on_the_trip(world):
    document = f.document(f.holder(world.unit_a))
    journey = f.trip([f.holder(world.unit_a)])
    response = client_for(f.officer(world)).post(
        url("check-out", document), {"trip": journey.pk}, format="json"
    )
    assert_error(response, 400, "not_a_member")


def test_check_out_not_earlier_than_the_window_before_departure(world):
    document = f.document(f.holder(world.unit_a))
    journey = f.trip([document.person], depart=f.today() + timedelta(days=30))
    api = client_for(f.officer(world))
    too_early = journey.depart_date - timedelta(days=16)
    response = api.post(
        url("check-out", document), {"trip": journey.pk, "date": too_early.isoformat()}, format="json"
    )
    assert_error(response, 400, "too_early")
    # without a date it is today, 30 days before departure: too early as well
    assert_error(api.post(url("check-out", document), {"trip": journey.pk}, format="json"), 400, "too_early")
    first_day = journey.depart_date - timedelta(days=15)
    response = api.post(
        url("check-out", document), {"trip": journey.pk, "date": first_day.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "state", [TripState.SUBMITTED, TripState.REVIEWED, TripState.REJECTED, TripState.CANCELLED]
)
def test_check_out_only_for_an_approved_trip(world, state):
    document = f.document(f.holder(world.unit_a))
    journey = f.trip([document.person], state=state)
    response = client_for(f.officer(world)).post(
        url("check-out", document), {"trip": journey.pk}, format="json"
    )
    assert_error(response, 400, "trip_not_approved")
    assert not CustodyMovement.objects.exists()


def test_a_trip_of_another_city_does_not_exist(world):
    document = f.document(f.holder(world.unit_a))
    journey = f.trip([f.holder(world.unit_b)])
    response = client_for(f.officer(world)).post(
        url("check-out", document), {"trip": journey.pk}, format="json"
    )
    assert "trip" in assert_error(response, 400, "invalid")["extra"]["errors"]


def test_movement_bodies_are_validated(world):
    document = f.document(f.holder(world.unit_a))
    api = client_for(f.officer(world))
    assert (
        "trip"
        in assert_error(api.post(url("check-out", document), {}, format="json"), 400)["extra"]["errors"]
    )
    assert (
        "date" in assert_error(api.post(url("return", document), {}, format="json"), 400)["extra"]["errors"]
    )
    response = api.post(url("report-lost", document), {"date": "2026-13-01", "note": "x"}, format="json")
    assert "date" in assert_error(response, 400, "invalid")["extra"]["errors"]
    response = api.post(url("report-lost", document), {"date": "2026-01-01", "note": " "}, format="json")
    assert_error(response, 400, "note_required")
    assert_error(api.post(url("return", document), {"date": "2026-01-01"}, format="json"), 409, "wrong_state")


def test_lost_found_and_cancelled_through_the_api(world):
    document = f.document(f.holder(world.unit_a, name="钱学林"))
    officer = f.officer(world)
    api = client_for(officer)
    response = api.post(
        url("report-lost", document), {"date": "2026-02-01", "note": "在机场遗失"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "lost"
    lost = document.movements.get(kind=MovementKind.LOST)
    assert (lost.note, lost.handed_over_by, lost.received_by) == ("在机场遗失", "钱学林", str(officer))
    response = api.post(url("deposit", document), {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_custody"
    today = timezone.localdate().isoformat()  # the day of the deposit just above
    response = api.post(url("cancel", document), {"date": today, "note": "持照人调离"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "cancelled"
    assert_error(api.post(url("deposit", document), {}, format="json"), 409, "wrong_state")
    assert list(document.movements.order_by("id").values_list("kind", flat=True)) == [
        MovementKind.LOST,
        MovementKind.DEPOSIT,
        MovementKind.CANCEL,
    ]


# --- reads ------------------------------------------------------------------------------------------------


def test_state_is_derived_as_of_today(world):
    person = f.holder(world.unit_a)
    overdue, _trip = f.out_since(world, person, due=f.today() - timedelta(days=1))
    out, _trip = f.out_since(world, person, due=f.today(), kind="diplomatic")
    expired = f.document(person, kind="hkmo_permit", expires=f.today() - timedelta(days=1))
    api = client_for(f.officer(world))
    states = {row["id"]: row["state"] for row in api.get(url("list")).json()["results"]}
    assert states == {overdue.pk: "overdue", out.pk: "checked_out", expired.pk: "expired"}
    detail = api.get(url("detail", overdue)).json()
    assert (detail["state"], detail["due_date"]) == ("overdue", (f.today() - timedelta(days=1)).isoformat())
    assert [row["id"] for row in api.get(url("list"), {"state": "overdue"}).json()["results"]] == [overdue.pk]
    assert [row["id"] for row in api.get(url("list"), {"state": "expired"}).json()["results"]] == [expired.pk]


def test_filters(world):
    zhang = f.holder(world.unit_a, name="张卫东")
    li = f.holder(world.unit_a2, name="李秀英")
    service = f.document(zhang, kind="service")
    permit = f.document(zhang, kind="hkmo_permit")
    other = f.document(li, kind="service")
    api = client_for(f.officer(world))

    def ids(**params):
        response = api.get(url("list"), params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {service.pk, permit.pk, other.pk}
    assert ids(q=service.number) == {service.pk}
    assert ids(q=service.number.lower()) == {service.pk}
    assert ids(q=service.number[:-2]) == set()
    assert ids(q="张卫") == {service.pk, permit.pk}
    assert ids(kind="hkmo_permit") == {permit.pk}
    assert ids(person__organization=world.unit_a2.pk) == {other.pk}
    assert ids(state="in_custody", kind="service") == {service.pk, other.pk}


def every_role_user(world, role):
    return f.user(world, role, world.unit_a if role.startswith("unit_") else world.city_a)


@pytest.mark.parametrize("role", list(Role.values))
def test_no_full_number_in_any_read(world, role):
    person = f.holder(world.unit_a)
    document, _trip = f.out_since(world, person, due=f.today() + timedelta(days=3))
    full = TravelDocument.objects.get(pk=document.pk).number
    api = client_for(every_role_user(world, role))
    for response in (
        api.get(url("list")),
        api.get(url("detail", document)),
        api.get(url("list"), {"q": full}),
        api.get(url("list"), {"state": "checked_out"}),
    ):
        assert full.encode() not in response.content, (role, response.content)
        assert b'"number"' not in response.content
    detail = api.get(url("detail", document))
    if detail.status_code == 200:
        assert detail.json()["number_masked"] == document.number_masked


def test_no_full_number_in_any_action_answer(world):
    person = f.holder(world.unit_a)
    officer = f.officer(world)
    api = client_for(officer)
    number = "PE20261122"
    response = api.post(
        url("list"),
        {
            "person": person.pk,
            "kind": "official_ordinary",
            "number": number,
            "issued": "2022-03-01",
            "expires": "2032-02-28",
            "custodian": world.city_a.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    document = TravelDocument.objects.get(pk=response.json()["id"])
    journey = f.trip([person])
    answers = [
        response,
        api.post(url("check-out", document), {"trip": journey.pk}, format="json"),
        api.post(url("check-out", document), {"trip": journey.pk}, format="json"),  # 409
        api.post(url("return", document), {"date": journey.return_date.isoformat()}, format="json"),
        api.post(
            url("report-lost", document),
            {"date": later(journey.return_date, 1), "note": "遗失"},
            format="json",
        ),
        api.post(url("deposit", document), {"date": later(journey.return_date, 3)}, format="json"),
        api.post(
            url("cancel", document), {"date": later(journey.return_date, 4), "note": "注销"}, format="json"
        ),
        api.post(
            url("list"),
            {
                **{
                    "person": person.pk,
                    "kind": "official_ordinary",
                    "number": number,
                    "issued": "2022-03-01",
                    "expires": "2032-02-28",
                    "custodian": world.city_a.pk,
                }
            },
            format="json",
        ),
    ]
    assert [a.status_code for a in answers] == [201, 200, 409, 200, 200, 200, 200, 400]
    for answer in answers:
        assert number.encode() not in answer.content, answer.content


def test_schema_documents_every_movement(world):
    response = client_for(f.officer(world)).get(reverse("api:schema"))
    assert response.status_code == 200
    schema = response.content.decode()
    for action in ("check-out", "return", "report-lost", "deposit", "cancel"):
        assert f"/api/v1/travel-documents/{{id}}/{action}/" in schema, action
    for component in (
        "TravelDocumentCheckOutRequest:",
        "TravelDocumentReturnRequest:",
        "TravelDocumentNoteRequest:",
        "TravelDocumentDepositRequest:",
        "TravelDocumentRequest:",
    ):
        assert component in schema, component


def later(day, days: int) -> str:
    """``days`` after ``day``, as the API takes a date: the ledger's movements follow one another."""
    return (day + timedelta(days=days)).isoformat()
