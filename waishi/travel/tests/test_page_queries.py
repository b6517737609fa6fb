"""The trip pages make as many queries with many rows as with few: the application page with 10 times the
members, stops, budget lines and steps, and the home page's work queue with 10 times the trips."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from waishi.core.services import office_setting_set
from waishi.core.testing.factories import PersonFactory
from waishi.core.testing.views import assert_bounded_work_queue, assert_same_queries, page_queries
from waishi.travel.choices import TripState
from waishi.travel.models import BudgetLine, FollowUp, Trip, TripEvent, TripLeg, TripMember
from waishi.travel.tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 1)
# the states that put a trip in someone's work queue
QUEUED = [
    TripState.DRAFT,
    TripState.SIGNED_OFF,
    TripState.RETURNED,
    TripState.SUBMITTED,
    TripState.REVIEWED,
    TripState.APPROVED,
    TripState.BRIEFED,
    TripState.DEPARTED,
    TripState.RETURNED_HOME,
    TripState.REPORTED,
    TripState.EVALUATED,
]


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_rows(trip, numbers, actor=None):
    """A member, a stop, a budget line and a workflow step on ``trip`` for each of ``numbers``."""
    for n in numbers:
        person = PersonFactory(organization=trip.applicant_unit)
        TripMember.objects.create(trip=trip, person=person, role="head" if n == 0 else "member", order=n)
        TripLeg.objects.create(
            trip=trip, country_id="JP" if n % 2 else "KR", city=f"城市{n}", arrive=DAY, depart=DAY, order=n
        )
        BudgetLine.objects.create(trip=trip, kind="lodging", currency="JPY", amount=Decimal(1000 + n))
        TripEvent.objects.create(trip=trip, actor=actor, action="review", to_state=trip.state, note=f"{n}")


def make_trips(world, numbers):
    """A trip of unit A (office: city A) in each state that puts it in a work queue, round robin, each with
    a member and a stop, and a follow-up on the evaluated ones."""
    trips = []
    for n in numbers:
        trip = Trip.objects.create(
            applicant_unit=world.unit_a,
            office=world.city_a,
            deciding_office=world.city_a,
            category="abroad",
            mission=f"交流{n}",
            depart_date=DAY - datetime.timedelta(days=n),
            return_date=DAY - datetime.timedelta(days=n) + datetime.timedelta(days=3),
            state=QUEUED[n % len(QUEUED)],
            notice_from=DAY - datetime.timedelta(days=n + 20),
            notice_to=DAY - datetime.timedelta(days=n + 10),
        )
        step = QUEUED.index(trip.state)
        if step >= QUEUED.index(TripState.APPROVED):
            trip.approved_on = trip.depart_date - datetime.timedelta(days=20)
        if step >= QUEUED.index(TripState.DEPARTED):
            trip.departed_on = trip.depart_date
        if step >= QUEUED.index(TripState.RETURNED_HOME):
            trip.came_back_on = trip.return_date
        trip.save()
        add_rows(trip, [0])
        if trip.state == TripState.EVALUATED:
            FollowUp.objects.create(trip=trip, item=f"回访{n}", owner="外事科", due=DAY)
        trips.append(trip)
    return trips


@pytest.mark.parametrize("state", [TripState.SUBMITTED, TripState.APPROVED, TripState.RETURNED_HOME])
def test_trip_page_queries_do_not_grow_with_its_rows(client, world, state):
    trip = make_trips(world, [QUEUED.index(state)])[0]
    staff = world.user("fao_staff")
    client.force_login(staff)
    url = trip.get_absolute_url()
    before = page_queries(client, url)
    add_rows(trip, range(1, 10), actor=staff)
    assert_same_queries(before, page_queries(client, url), url)


@pytest.mark.parametrize("state", [TripState.SUBMITTED, TripState.APPROVED, TripState.RETURNED_HOME])
def test_trip_page_reads_its_stops_budget_and_each_offices_settings_once(client, world, state):
    """The rules, the budget table and the page's tables share one reading of the trip's stops and budget
    lines, and every setting the page's rules and deadlines read comes from one query an office."""
    trip = make_trips(world, [QUEUED.index(state)])[0]
    add_rows(trip, range(1, 3))
    client.force_login(world.user("fao_staff"))
    queries = page_queries(client, trip.get_absolute_url())
    own = [q for q in queries if f'"trip_id" = {trip.pk}' in q]
    for table in ("travel_tripleg", "travel_budgetline"):
        assert sum(q.startswith(f'SELECT "{table}"') for q in own) == 1, table
    settings_queries = [q for q in queries if 'FROM "core_officesetting"' in q]
    assert 1 <= len(settings_queries) <= 2  # the trip's office, and the deciding office where it differs


@pytest.mark.parametrize("url_name", ["home", "work_queue"])
@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "fao_staff", "fao_leader"])
def test_work_queue_queries_do_not_grow_with_trips(client, world, role, url_name):
    make_trips(world, range(len(QUEUED)))
    client.force_login(world.user(role))
    url = reverse(url_name)
    before = page_queries(client, url)
    make_trips(world, range(len(QUEUED), 10 * len(QUEUED)))
    assert_same_queries(before, page_queries(client, url), url)


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "fao_staff", "fao_leader"])
def test_the_work_queue_cut_to_a_page_holds_the_whole_queues_first_items(world, role):
    """Each step's list read to its first n trips (by due date, per office where the office works the due
    date out, ties included) or only counted, merged: the whole queue's first n, for every n."""
    make_trips(world, range(3 * len(QUEUED)))
    make_trips(world, [n % 5 for n in range(2 * len(QUEUED))])  # trips due the same day, the same titles
    approved = QUEUED.index(TripState.APPROVED)
    first = DAY - datetime.timedelta(days=400)
    for n, trip in enumerate(make_trips(world, [approved + len(QUEUED) * n for n in range(6)])):
        # the first briefings due, on one day, titled in the order of neither their ids nor the reverse
        Trip.objects.filter(pk=trip.pk).update(
            depart_date=first,
            return_date=first + datetime.timedelta(days=3),
            mission=f"同日{n * 5 % 6}",
        )
    Trip.objects.filter(pk__in=Trip.objects.filter(state=TripState.SIGNED_OFF).values("pk")[:2]).update(
        notice_from=None
    )
    # The province handles a return, and gives its reports less time: a later return can be due first.
    make_trips(world, [QUEUED.index(TripState.RETURNED_HOME) + len(QUEUED) * n for n in range(3, 12)])
    office_setting_set(actor=f.approver(world), office=world.city_a, key="travel.report.due", value="90d")
    province = f.approver(world, world.province)
    office_setting_set(actor=province, office=world.province, key="travel.report.due", value="1d")
    home = Trip.objects.filter(state=TripState.RETURNED_HOME).order_by("-came_back_on")
    Trip.objects.filter(pk__in=home.values("pk")[:1]).update(office=world.province)
    FollowUp.objects.filter(pk__in=FollowUp.objects.values("pk")[:2]).update(
        due=DAY - datetime.timedelta(days=9)
    )
    assert_bounded_work_queue(world.user(role))


def test_the_export_reads_members_and_stops_with_their_people_and_countries(client, world, settings):
    """Each chunk of the trip export reads its members with their people joined: a separate IN list of person
    ids grows with the chunk and, past about a thousand, SQLite refuses it (Expression tree is too large)."""
    settings.WAISHI_EXPORT_CHUNK_ROWS = 5
    unit = world.unit_a
    for n in range(12):
        trip = Trip.objects.create(
            applicant_unit=unit, office=world.city_a, mission="x", depart_date=DAY, return_date=DAY
        )
        TripMember.objects.create(trip=trip, person=PersonFactory(organization=unit), role="head", order=n)
        TripLeg.objects.create(trip=trip, country_id="JP", city="c", arrive=DAY, depart=DAY)
    client.force_login(world.user("fao_staff"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("travel:trip_export"))
        assert len(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active["A"]) == 13
    first = ('SELECT "directory_person"', 'SELECT "directory_country"')
    assert [q["sql"] for q in captured.captured_queries if q["sql"].startswith(first)] == []
