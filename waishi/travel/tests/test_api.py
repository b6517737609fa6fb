"""Outbound trips over the REST API (API.md "Outbound trips"): scope and permissions per endpoint, the whole
lifecycle through the API only, and the error bodies of each refusal."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from waishi.core.services import attachment_add
from waishi.core.testing.factories import PersonFactory
from waishi.core.testing.views import ApiTests, assert_same_queries, page_queries
from waishi.directory.choices import Rank
from waishi.travel.models import PerDiemRate, PlanEntry, Trip, TripEvent

DEPART, RETURN = date(2026, 6, 15), date(2026, 6, 19)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_trip(unit, **fields) -> Trip:
    """A draft trip written straight to the database (for scope tests, not a valid application)."""
    values = {
        "applicant_unit": unit,
        "office": unit.office(),
        "category": "abroad",
        "mission": "赴日本开展经贸交流",
        "depart_date": DEPART,
        "return_date": RETURN,
    }
    return Trip.objects.create(**(values | fields))


class TestTripApi(ApiTests):
    basename = "trip"
    allowed_role = "unit_clerk"
    denied_role = "system_admin"

    def make(self, world, organization):
        return make_trip(organization)


class TestPlanEntryApi(ApiTests):
    basename = "planentry"
    allowed_role = "unit_clerk"
    denied_role = "system_admin"

    def make(self, world, organization):
        return PlanEntry.objects.create(unit=organization, year=2026, title="赴日经贸考察")


class TestPerDiemRateApi(ApiTests):
    basename = "perdiemrate"
    allowed_role = "fao_staff"
    scoped = False

    def make(self, world, organization):
        return PerDiemRate.objects.create(
            country_id="JP", currency="JPY", lodging=20000, meals=8000, incidentals=3000
        )


# The journeys: every step through the API, each role logged in as itself.


@dataclass
class Office:
    world: object
    clerk: object
    leader: object
    staff: object
    boss: object
    viewer: object
    head: object
    member: object
    plan: object

    clients: dict = field(default_factory=dict)

    def client(self, user) -> APIClient:
        """A client logged in as ``user`` (one per user, so that each role keeps its session)."""
        if user.pk not in self.clients:
            self.clients[user.pk] = APIClient()
            self.clients[user.pk].force_login(user)
        return self.clients[user.pk]

    def post(self, user, trip_id, step, body=None):
        url = reverse(f"api:trip-{step}", args=[trip_id])
        return self.client(user).post(url, body or {}, format="json")

    def application(self) -> dict:
        """The body of API.md's example, with the ids of this world."""
        return {
            "applicant_unit": self.world.unit_a.pk,
            "category": "abroad",
            "is_cross_unit": False,
            "sending_units": [],
            "mission": "赴日本东京开展经贸交流",
            "depart_date": "2026-06-15",
            "return_date": "2026-06-19",
            "inviter": {"name": "东京都产业劳动局", "country": "JP", "kind": "government"},
            "invitation": {
                "date_from": "2026-06-14",
                "date_to": "2026-06-20",
                "invitees": [self.head.name, self.member.name],
                "signed": True,
            },
            "members": [
                {"person": self.head.pk, "role": "head"},
                {"person": self.member.pk, "role": "member"},
            ],
            "legs": [
                {
                    "country": "JP",
                    "city": "东京",
                    "arrive": "2026-06-15",
                    "depart": "2026-06-19",
                    "transit_airside": False,
                }
            ],
            "budget": [{"kind": "lodging", "currency": "JPY", "amount": "80000"}],
            "notice": {"date_from": "2026-06-01", "date_to": "2026-06-08"},
            "plan_entry": self.plan.pk,
        }

    def create(self, **changes) -> dict:
        response = self.client(self.clerk).post(
            reverse("api:trip-list"), self.application() | changes, format="json"
        )
        assert response.status_code == 201, response.json()
        return response.json()

    def attach_invitation(self, trip_id):
        upload = SimpleUploadedFile("invitation.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        return attachment_add(
            actor=self.clerk, obj=Trip.objects.get(pk=trip_id), upload=upload, purpose="invitation"
        )

    def submitted(self) -> dict:
        trip = self.create()
        self.attach_invitation(trip["id"])
        assert self.post(self.leader, trip["id"], "sign-off", {"opinion": "同意"}).status_code == 200
        response = self.post(self.clerk, trip["id"], "submit")
        assert response.status_code == 200, response.json()
        return response.json()

    def reviewed(self) -> dict:
        trip = self.submitted()
        response = self.post(self.staff, trip["id"], "review", {"opinion": "符合规定"})
        assert response.status_code == 200, response.json()
        return response.json()


@pytest.fixture
def office(world):
    unit = world.unit_a
    return Office(
        world=world,
        clerk=world.user("unit_clerk"),
        leader=world.user("unit_leader"),
        staff=world.user("fao_staff"),
        boss=world.user("fao_leader"),
        viewer=world.user("viewer"),
        head=PersonFactory(organization=unit, name="张三", rank=Rank.DIVISION, position="处长"),
        member=PersonFactory(organization=unit, name="李四", rank=Rank.SECTION, position="科员"),
        plan=PlanEntry.objects.create(unit=unit, year=2026, title="赴日经贸考察"),
    )


@pytest.fixture
def rates(db):
    return PerDiemRate.objects.create(
        country_id="JP", currency="JPY", lodging=20000, meals=8000, incidentals=3000
    )


def blocking(findings: list[dict]) -> list[str]:
    return [f["code"] for f in findings if f["severity"] == "block"]


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.mark.usefixtures("rates")
def test_whole_lifecycle_through_the_api(office):
    head, member = office.head.pk, office.member.pk

    trip = office.create()
    trip_id = trip["id"]
    assert trip["state"] == "draft"
    assert trip["office"] == office.world.city_a.pk
    assert trip["inviter"] == {"name": "东京都产业劳动局", "country": "JP", "kind": "government"}
    assert trip["invitation"]["invitees"] == ["张三", "李四"]
    assert trip["notice"] == {"date_from": "2026-06-01", "date_to": "2026-06-08"}
    assert [(m["person"], m["role"]) for m in trip["members"]] == [(head, "head"), (member, "member")]
    assert trip["legs"][0]["country"] == "JP"
    assert trip["budget"] == [{"kind": "lodging", "currency": "JPY", "amount": "80000.00"}]
    assert trip["plan_entry"] == office.plan.pk
    # Other modules add rules of their own (passports warn without a document): look at what blocks.
    assert blocking(trip["findings"]) == ["invitation.attached"]
    assert [e["action"] for e in trip["history"]] == ["create"]

    office.attach_invitation(trip_id)
    checks = office.client(office.clerk).get(reverse("api:trip-checks", args=[trip_id]))
    assert checks.status_code == 200
    assert blocking(checks.json()) == []
    assert not {"plan.outside", "budget.standard"} & {f["code"] for f in checks.json()}

    assert (
        office.post(office.leader, trip_id, "sign-off", {"opinion": "同意"}).json()["state"] == "signed_off"
    )
    assert office.post(office.clerk, trip_id, "submit", {}).json()["state"] == "submitted"

    fixes = [{"field": "mission", "message": "出访任务不够具体，请写明交流内容。"}]
    returned = office.post(office.staff, trip_id, "return", {"fixes": fixes}).json()
    assert returned["state"] == "returned"
    assert returned["history"][-1]["fixes"] == fixes
    assert returned["history"][-1]["actor"] == office.staff.username

    mission = "赴日本东京与东京都产业劳动局洽谈中小企业合作"
    edited = office.client(office.clerk).patch(
        reverse("api:trip-detail", args=[trip_id]),
        {"mission": mission, "version": returned["version"]},
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    edited = edited.json()
    assert edited["mission"] == mission
    assert edited["version"] == returned["version"] + 1
    assert len(edited["members"]) == 2 and len(edited["legs"]) == 1 and len(edited["budget"]) == 1

    assert office.post(office.clerk, trip_id, "submit").json()["state"] == "submitted"
    assert office.post(office.staff, trip_id, "review", {"opinion": "符合规定"}).json()["state"] == "reviewed"

    approved = office.post(office.boss, trip_id, "approve", {"opinion": "同意"})
    assert approved.status_code == 200
    approved = approved.json()
    assert approved["state"] == "approved"
    assert approved["approval_number"] == f"甲外审〔{timezone.localdate().year}〕1号"
    assert approved["deciding_office"] == office.world.city_a.pk

    briefing = {"date": "2026-06-10", "content": "外事纪律和安全保密教育", "attendees": [head, member]}
    assert office.post(office.staff, trip_id, "brief", briefing).json()["state"] == "briefed"
    assert office.post(office.staff, trip_id, "depart", {"date": "2026-06-15"}).json()["state"] == "departed"
    border = {
        "members": [
            {"person": head, "exit_date": "2026-06-15", "entry_date": "2026-06-19"},
            {"person": member, "exit_date": "2026-06-15", "entry_date": "2026-06-19"},
        ]
    }
    back = office.post(office.staff, trip_id, "come-back", border).json()
    assert back["state"] == "returned_home"
    assert {m["exit_date"] for m in back["members"]} == {"2026-06-15"}

    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    file = attachment_add(
        actor=office.clerk, obj=Trip.objects.get(pk=trip_id), upload=upload, purpose="report"
    )
    report = {
        "text": "代表团访问了东京都产业劳动局。",
        "outcomes": "签署合作意向书一份",
        "attachments": [file.pk],
    }
    assert office.post(office.clerk, trip_id, "report", report).json()["state"] == "reported"
    evaluation = {
        "score": 90,
        "comments": "成果明确",
        "follow_ups": [{"item": "落实合作意向书", "owner": "甲市商务局", "due": "2026-09-30"}],
    }
    assert office.post(office.staff, trip_id, "evaluate", evaluation).json()["state"] == "evaluated"
    closed = office.post(office.staff, trip_id, "close", {})
    assert closed.status_code == 200
    closed = closed.json()
    assert closed["state"] == "closed"
    assert [e["action"] for e in closed["history"]] == [
        "create",
        "sign_off",
        "submit",
        "return",
        "submit",
        "review",
        "approve",
        "brief",
        "depart",
        "come_back",
        "report",
        "evaluate",
        "close",
    ]
    assert closed["history"][-1]["from_state"] == "evaluated"
    assert closed["history"][-1]["to_state"] == "closed"

    trip = Trip.objects.get(pk=trip_id)
    assert trip.report.score == 90
    assert trip.follow_ups.get().owner == "甲市商务局"
    assert trip.briefing.attendees.count() == 2


@pytest.mark.usefixtures("rates")
def test_second_approval_is_a_conflict(office):
    trip = office.reviewed()
    assert office.post(office.boss, trip["id"], "approve", {"opinion": "同意"}).status_code == 200
    body = assert_error(office.post(office.boss, trip["id"], "approve", {"opinion": "同意"}), 409)
    assert body["extra"]["state"] == "approved"
    assert TripEvent.objects.filter(trip_id=trip["id"], action="approve").count() == 1
    assert Trip.objects.get(pk=trip["id"]).approval_seq == 1


@pytest.mark.usefixtures("rates")
def test_submit_with_a_blocking_finding_is_refused_with_the_findings(office):
    trip = office.create()  # no invitation attached
    office.post(office.leader, trip["id"], "sign-off", {"opinion": "同意"})
    body = assert_error(office.post(office.clerk, trip["id"], "submit", {}), 400, "blocked")
    assert blocking(body["extra"]["findings"]) == ["invitation.attached"]
    finding = next(f for f in body["extra"]["findings"] if f["code"] == "invitation.attached")
    assert finding["fields"] == ["inviter", "invitation"] and finding["message"]
    assert Trip.objects.get(pk=trip["id"]).state == "signed_off"


@pytest.mark.usefixtures("rates")
def test_viewer_cannot_approve(office):
    trip = office.reviewed()
    assert office.client(office.viewer).get(reverse("api:trip-detail", args=[trip["id"]])).status_code == 200
    assert_error(office.post(office.viewer, trip["id"], "approve", {"opinion": "同意"}), 403)
    assert Trip.objects.get(pk=trip["id"]).state == "reviewed"


def test_another_units_trip_is_not_found(office):
    trip = office.create()
    world = office.world
    stranger_clerk, stranger_leader = (
        world.user("unit_clerk", world.unit_b),
        world.user("unit_leader", world.unit_b),
    )
    assert_error(office.client(stranger_clerk).get(reverse("api:trip-detail", args=[trip["id"]])), 404)
    assert_error(office.client(stranger_clerk).get(reverse("api:trip-checks", args=[trip["id"]])), 404)
    assert_error(office.post(stranger_leader, trip["id"], "sign-off", {"opinion": "同意"}), 404)
    assert_error(office.post(stranger_clerk, trip["id"], "submit", {}), 404)
    patch = office.client(stranger_clerk).patch(
        reverse("api:trip-detail", args=[trip["id"]]), {"mission": "x"}, format="json"
    )
    assert_error(patch, 404)
    listing = office.client(stranger_clerk).get(reverse("api:trip-list")).json()
    assert listing["results"] == []
    assert Trip.objects.get(pk=trip["id"]).state == "draft"


def test_schema_documents_every_step(office):
    response = office.client(office.clerk).get(reverse("api:schema"))
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/trips/{id}/approve/" in schema
    for path in (
        "sign-off",
        "submit",
        "return",
        "review",
        "reject",
        "cancel",
        "brief",
        "depart",
        "come-back",
        "report",
        "evaluate",
        "close",
        "checks",
    ):
        assert f"/api/v1/trips/{{id}}/{path}/" in schema, path
    for component in (
        "OpinionRequest",
        "ReturnRequest",
        "BriefRequest",
        "ComeBackRequest",
        "EvaluateRequest",
        "ReportRequest",
        "ReasonRequest",
        "TripRequest",
        "PatchedTripRequest",
    ):
        assert f"{component}:" in schema, component
    assert "/api/v1/plan-entries/" in schema and "/api/v1/per-diem-rates/" in schema


# Smaller guarantees of the trip endpoints.


def test_invalid_application_gets_field_errors(office):
    body = office.application()
    body["legs"][0]["country"] = "XX"
    body["members"][0]["role"] = "chief"
    body["budget"][0]["currency"] = "YENS"
    response = office.client(office.clerk).post(reverse("api:trip-list"), body, format="json")
    errors = assert_error(response, 400, "invalid")["extra"]["errors"]
    assert set(errors) == {"legs", "members", "budget"}
    assert not Trip.objects.exists()


def test_country_codes_are_case_insensitive(office):
    body = office.application()
    body["legs"][0]["country"] = "jp"
    trip = office.create(
        legs=body["legs"], inviter={"name": "东京大学", "country": "jp", "kind": "university"}
    )
    assert trip["legs"][0]["country"] == "JP"
    assert trip["inviter"]["country"] == "JP"


def test_applying_for_another_unit_is_refused(office):
    response = office.client(office.clerk).post(
        reverse("api:trip-list"),
        office.application() | {"applicant_unit": office.world.unit_b.pk, "plan_entry": None},
        format="json",
    )
    assert_error(response, 403)
    assert not Trip.objects.exists()


def test_plan_entry_of_another_unit_is_refused(office):
    other = PlanEntry.objects.create(unit=office.world.unit_b, year=2026, title="乙市计划")
    response = office.client(office.clerk).post(
        reverse("api:trip-list"), office.application() | {"plan_entry": other.pk}, format="json"
    )
    assert "plan_entry" in assert_error(response, 400, "invalid")["extra"]["errors"]


def test_stale_version_is_a_conflict_and_leader_cannot_edit(office):
    trip = office.create()
    url = reverse("api:trip-detail", args=[trip["id"]])
    client = office.client(office.clerk)
    assert client.patch(url, {"mission": "第一次修改"}, format="json").status_code == 200
    assert_error(client.patch(url, {"mission": "第二次修改", "version": trip["version"]}, format="json"), 409)
    assert_error(office.client(office.leader).patch(url, {"mission": "领导修改"}, format="json"), 403)
    assert Trip.objects.get(pk=trip["id"]).mission == "第一次修改"


def test_full_update_replaces_the_nested_rows(office):
    trip = office.create()
    body = office.application() | {
        "members": [{"person": office.head.pk, "role": "head"}],
        "budget": [],
        "invitation": {"invitees": ["张三"]},
    }
    response = office.client(office.clerk).put(
        reverse("api:trip-detail", args=[trip["id"]]), body, format="json"
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert [m["person"] for m in data["members"]] == [office.head.pk]
    assert data["budget"] == []
    assert data["invitation"]["invitees"] == ["张三"]
    assert data["invitation"]["signed"] is True  # left out, so kept


def test_unknown_attachment_in_report_is_refused(office):
    trip = make_trip(office.world.unit_a, state="returned_home")
    body = assert_error(
        office.post(office.clerk, trip.pk, "report", {"text": "报告", "attachments": [999]}), 400
    )
    assert "attachments" in body["extra"]["errors"]
    assert Trip.objects.get(pk=trip.pk).state == "returned_home"


def test_return_without_fixes_and_wrong_state(office):
    trip = make_trip(office.world.unit_a, state="submitted")
    assert_error(office.post(office.staff, trip.pk, "return", {"fixes": []}), 400, "fixes_required")
    assert_error(office.post(office.staff, trip.pk, "return", {}), 400, "invalid")
    assert_error(office.post(office.staff, trip.pk, "close", {}), 409, "wrong_state")


def test_cancel_and_reject(office):
    trip = office.create()
    assert_error(office.post(office.clerk, trip["id"], "cancel", {"reason": " "}), 400, "reason_required")
    assert (
        office.post(office.clerk, trip["id"], "cancel", {"reason": "邀请方取消"}).json()["state"]
        == "cancelled"
    )
    other = make_trip(office.world.unit_a, state="reviewed", deciding_office=office.world.city_a)
    rejected = office.post(office.boss, other.pk, "reject", {"reason": "任务不明确"})
    assert rejected.status_code == 200
    assert rejected.json()["state"] == "rejected"


def test_list_filters(office):
    trip = office.create()
    other = make_trip(office.world.unit_a2, depart_date=date(2025, 3, 3), return_date=date(2025, 3, 5))
    client = office.client(office.staff)

    def ids(**params):
        response = client.get(reverse("api:trip-list"), params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {trip["id"], other.pk}
    assert ids(country="JP") == {trip["id"]}
    assert ids(country="FR") == set()
    assert ids(person=office.head.pk) == {trip["id"]}
    assert ids(q="张三") == {trip["id"]}
    assert ids(q="东京") == {trip["id"]}
    assert ids(year=2025) == {other.pk}
    assert ids(applicant_unit=office.world.unit_a2.pk) == {other.pk}
    assert ids(office=office.world.city_a.pk) == {trip["id"], other.pk}
    assert ids(state=["draft", "submitted"]) == {trip["id"], other.pk}
    assert ids(state="approved") == set()
    assert ids(category="hkmo") == set()
    assert ids(approved_from="2026-01-01") == set()
    assert_error(client.get(reverse("api:trip-list"), {"year": "2025.5"}), 400)
    assert_error(client.get(reverse("api:trip-list"), {"state": "flying"}), 400)


def test_list_runs_a_constant_number_of_queries(office):
    client = office.client(office.staff)
    office.create()

    url = reverse("api:trip-list")
    few = page_queries(client, url)
    for _ in range(4):
        office.create()
    many = page_queries(client, url)
    assert client.get(url).json()["count"] == 5
    assert_same_queries(few, many, url)


# The reference tables.


def test_clerk_adds_a_plan_entry_for_his_unit_only(office):
    client = office.client(office.clerk)
    url = reverse("api:planentry-list")
    body = {"unit": office.world.unit_a.pk, "year": 2026, "title": "赴德国考察", "countries": ["de"]}
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["countries"] == ["DE"]
    assert_error(client.post(url, body, format="json"), 400, "invalid")  # the same title twice
    assert_error(client.post(url, body | {"unit": office.world.unit_b.pk}, format="json"), 403)
    assert client.get(url, {"year": 2026, "unit": office.world.unit_a.pk}).json()["count"] == 2


def test_staff_adds_a_per_diem_rate(office):
    url = reverse("api:perdiemrate-list")
    body = {"country": "FR", "currency": "eur", "lodging": "200", "meals": "60", "incidentals": "30"}
    response = office.client(office.staff).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["currency"] == "EUR"
    assert response.json()["city_name"] == ""
    assert_error(office.client(office.staff).post(url, body, format="json"), 400, "invalid")
    assert_error(office.client(office.clerk).post(url, body, format="json"), 403)
    assert office.client(office.clerk).get(url, {"country": "FR"}).json()["count"] == 1
    assert office.client(office.clerk).get(url, {"currency": "usd"}).json()["count"] == 0


def test_the_api_keeps_amounts_plain_decimal_strings(office):
    """Pages write 28,500.00 (waishi.core.money); the API keeps the number as a plain decimal string."""
    url = reverse("api:perdiemrate-list")
    body = {"country": "IT", "currency": "EUR", "lodging": "28500", "meals": "1234.5", "incidentals": "30"}
    response = office.client(office.staff).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    rate = (
        office.client(office.clerk)
        .get(reverse("api:perdiemrate-detail", args=[response.json()["id"]]))
        .json()
    )
    assert [rate["lodging"], rate["meals"], rate["incidentals"]] == ["28500.00", "1234.50", "30.00"]


STEPS = [
    "sign-off",
    "submit",
    "return",
    "review",
    "approve",
    "reject",
    "cancel",
    "brief",
    "depart",
    "come-back",
    "report",
    "evaluate",
    "close",
]
GARBAGE = [
    [],
    "x",
    {"opinion": ["a"], "reason": None},
    {"fixes": [{"message": {"a": 1}}]},
    {"fixes": "x"},
    {"date": "2026-13-01", "content": "", "attendees": [10**12]},
    {"date": "0001-01-01"},
    {"members": [{"person": "x"}]},
    {"members": [{"person": 2**40, "exit_date": "2026-06-15", "entry_date": "2026-06-01"}]},
    {"text": "", "attachments": ["a"]},
    {"score": "a", "follow_ups": [{"item": ""}]},
    {"score": 10**20},
]


def test_bad_input_never_breaks_a_step(office):
    trip = make_trip(office.world.unit_a)
    for user in (office.clerk, office.staff):
        for step in STEPS:
            for body in GARBAGE:
                response = office.post(user, trip.pk, step, body)
                assert 400 <= response.status_code < 500, (step, body, response.content)
                assert set(response.json()) == {"code", "message", "extra"}


def test_bad_application_never_breaks(office):
    client = office.client(office.clerk)
    trip = office.create()
    url = reverse("api:trip-detail", args=[trip["id"]])
    bodies = [
        {"depart_date": "0001-01-01"},
        {"return_date": "2026-06-01"},
        {"version": 2**40},
        {"members": "x"},
        {"members": [{"person": 2**40}]},
        {"legs": [{"country": 5, "arrive": "x", "depart": None}]},
        {"budget": [{"kind": "lodging", "currency": "JPY", "amount": "1e30"}]},
        {"invitation": {"invitees": "张三"}},
        {"inviter": "x"},
        {"notice": {"date_from": "9999-12-31"}},
        {"sending_units": [2**40]},
        {"plan_entry": "x"},
        {"applicant_unit": office.world.unit_a2.pk},
    ]
    for body in bodies:
        response = client.patch(url, body, format="json")
        assert 400 <= response.status_code < 500, (body, response.content)
        assert set(response.json()) == {"code", "message", "extra"}
    assert Trip.objects.get(pk=trip["id"]).version == trip["version"]
