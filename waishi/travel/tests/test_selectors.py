"""Reads of trips: each role's work queue, the report deadline by office setting, the notice's end, and the
list's constant number of queries."""

import re
from datetime import date, timedelta

import chinese_calendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from waishi.core.deadlines import due_date
from waishi.core.services import office_setting_set
from waishi.directory.choices import Rank
from waishi.travel import rules, selectors, services
from waishi.travel.choices import TripState
from waishi.travel.models import FollowUp, Trip
from waishi.travel.tests import factories as f
from waishi.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    f.speed_up(settings, tmp_path)


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def queue(user, names: dict[str, str]) -> set[tuple]:
    """``(label, trip name, due, overdue)`` for each work item of ``user``, in English."""
    with translation.override("en"):
        items = [item for work_list in selectors.work_items(user) for item in work_list.items]
    return {(item.title.split(":", 1)[0], names[item.url], item.due, item.overdue) for item in items}


@pytest.fixture
def scene(world):
    """One trip of unit A in each state that asks someone to act, plus trips elsewhere."""
    trips = {}

    def add(name, state, *, depart, length=5, **kwargs):
        trips[name] = f.make_trip(
            world,
            depart=depart,
            return_=depart + timedelta(days=length - 1),
            state=state,
            mission=f"任务{name}",
            **kwargs,
        )

    add("draft", TripState.DRAFT, depart=days(60))
    add("signed", TripState.SIGNED_OFF, depart=days(60))
    add("returned", TripState.RETURNED, depart=days(60))
    add("submitted", TripState.SUBMITTED, depart=days(60))
    add("reviewed", TripState.REVIEWED, depart=days(60))
    add("escalated", TripState.ESCALATED, depart=days(60), ranks=[Rank.DEPUTY_BUREAU], positions=["副局长"])
    add("approved", TripState.APPROVED, depart=days(30))
    add("briefed_due", TripState.BRIEFED, depart=days(0))
    add("briefed_later", TripState.BRIEFED, depart=days(5))
    add("departed_due", TripState.DEPARTED, depart=days(-5), length=5)
    add("departed_away", TripState.DEPARTED, depart=days(-2), length=5)
    add("home_recent", TripState.RETURNED_HOME, depart=days(-9), length=5)  # back 5 days ago
    add("home_old", TripState.RETURNED_HOME, depart=days(-44), length=5)  # back 40 days ago
    add("reported", TripState.REPORTED, depart=days(-60))
    add("evaluated", TripState.EVALUATED, depart=days(-90))
    add("closed", TripState.CLOSED, depart=days(-120))
    add("other_city", TripState.SUBMITTED, depart=days(60), unit=world.unit_b)
    add("other_unit", TripState.RETURNED, depart=days(60), unit=world.unit_a2)
    FollowUp.objects.bulk_create(
        [
            FollowUp(trip=trips["closed"], item="落实备忘录", owner="商务局", due=days(10)),
            FollowUp(trip=trips["closed"], item="回访邀请", owner="外办", due=days(-3)),
            FollowUp(trip=trips["closed"], item="已办结", owner="外办", due=days(-30), done_on=days(-31)),
        ]
    )
    names = {trip.get_absolute_url(): name for name, trip in trips.items()}
    return trips, names


def report_due(trip) -> date:
    return due_date(trip.came_back_on, "1m")


def test_work_items_of_each_role(world, scene):
    trips, names = scene
    home_recent, home_old = trips["home_recent"], trips["home_old"]
    assert home_old.came_back_on == days(-40) and home_recent.came_back_on == days(-5)

    assert queue(f.leader(world), names) == {("To sign off", "draft", None, False)}
    assert queue(f.leader(world, world.unit_a2), names) == set()

    assert queue(f.clerk(world), names) == {
        ("Returned for correction", "returned", None, False),
        ("Signed off, to submit", "signed", selectors.notice_complete_on(trips["signed"]), False),
        ("Trip report due", "home_recent", report_due(home_recent), False),
        ("Trip report due", "home_old", report_due(home_old), True),
    }
    assert queue(f.clerk(world, world.unit_a2), names) == {
        ("Returned for correction", "other_unit", None, False)
    }

    assert queue(f.staff(world), names) == {
        ("To review", "submitted", None, False),
        ("Pre-departure briefing", "approved", trips["approved"].depart_date, False),
        ("Record the departure", "briefed_due", days(0), False),
        ("Record the return", "departed_due", days(-1), True),
        ("Trip report overdue", "home_old", report_due(home_old), True),
        ("To evaluate", "reported", None, False),
        ("To close", "evaluated", None, False),
        ("Follow-up", "closed", days(10), False),
        ("Follow-up", "closed", days(-3), True),
    }
    assert queue(f.staff(world, world.city_b), names) == {("To review", "other_city", None, False)}

    assert queue(f.approver(world), names) == {("To approve", "reviewed", None, False)}
    assert queue(f.approver(world, world.province), names) == {("To approve", "escalated", None, False)}
    assert queue(f.approver(world, world.city_b), names) == set()

    assert queue(f.user(world, "viewer"), names) == set()
    assert queue(f.user(world, "system_admin"), names) == set()


def test_the_superior_office_staff_are_not_asked_to_handle_a_city_trip_it_approved(world):
    trip = f.make_trip(world, ranks=[Rank.DEPUTY_BUREAU], positions=["副局长"], state=TripState.APPROVED)
    assert trip.deciding_office == world.province
    names = {trip.get_absolute_url(): "escalated"}
    overdue = trip.depart_date < timezone.localdate()
    assert queue(f.staff(world), names) == {
        ("Pre-departure briefing", "escalated", trip.depart_date, overdue)
    }
    assert queue(f.staff(world, world.province), names) == set()


def test_report_due_defaults_to_one_month_clamped_to_the_month_end(world):
    def due(came_back, office=world.city_a):
        return selectors.report_due(Trip(office=office, came_back_on=came_back))

    assert due(date(2024, 3, 15)) == date(2024, 4, 15)
    assert due(date(2024, 1, 31)) == date(2024, 2, 29)
    assert due(date(2025, 1, 31)) == date(2025, 2, 28)
    assert due(date(2024, 12, 20)) == date(2025, 1, 20)
    assert selectors.report_due(Trip(office=world.city_a)) is None


def test_report_due_follows_the_office_setting(world):
    office_setting_set(actor=f.approver(world), office=world.city_a, key="travel.report.due", value="15wd")

    def due(came_back, office):
        return selectors.report_due(Trip(office=office, came_back_on=came_back))

    # Back on Friday Sep 20 2024: 15 working days, counting the make-up days Sep 29 and Oct 12 and skipping
    # the National Day holidays Oct 1-7, end on Oct 16.
    expected = date(2024, 9, 20)
    for _ in range(15):
        expected += timedelta(days=1)
        while not chinese_calendar.is_workday(expected):
            expected += timedelta(days=1)
    assert expected == date(2024, 10, 16)
    assert due(date(2024, 9, 20), world.city_a) == expected
    # Other offices keep the default.
    assert due(date(2024, 9, 20), world.city_b) == date(2024, 10, 20)
    assert due(date(2024, 1, 31), world.city_b) == date(2024, 2, 29)
    # A setting of the province reaches the offices below that have none of their own.
    office_setting_set(
        actor=f.approver(world, world.province), office=world.province, key="travel.report.due", value="30d"
    )
    assert due(date(2024, 1, 31), world.city_b) == date(2024, 3, 1)
    assert due(date(2024, 1, 31), world.province) == date(2024, 3, 1)
    assert due(date(2024, 9, 20), world.city_a) == date(2024, 10, 16)


def test_the_work_queue_uses_the_configured_report_deadline(world):
    office_setting_set(actor=f.approver(world), office=world.city_a, key="travel.report.due", value="15wd")
    trip = f.make_trip(world, depart=days(-30), return_=days(-26), state=TripState.RETURNED_HOME)
    names = {trip.get_absolute_url(): "home"}
    due = selectors.report_due(trip)
    assert due == selectors.report_due(Trip(office=world.city_a, came_back_on=days(-26)))
    assert due != due_date(days(-26), "1m")
    overdue = due < timezone.localdate()
    assert queue(f.clerk(world), names) == {("Trip report due", "home", due, overdue)}


@pytest.mark.parametrize(
    ("notice_from", "complete"),
    [
        (date(2025, 3, 10), date(2025, 3, 14)),  # Monday to Friday
        (date(2025, 3, 12), date(2025, 3, 18)),  # over a weekend
        (date(2024, 9, 27), date(2024, 10, 9)),  # over National Day, with the make-up Sunday Sep 29
        (date(2024, 9, 28), date(2024, 10, 10)),
    ],
)
def test_notice_complete_on_agrees_with_the_rule(world, notice_from, complete):
    assert selectors.notice_complete_on(Trip(office=world.city_a, notice_from=notice_from)) == complete
    # Leaving the day after the notice has run passes notice.before; leaving on that day does not.
    ok = f.facts(world, depart=complete + timedelta(days=1), notice=(notice_from, complete))
    assert f.run("notice.before", ok) == []
    short = f.facts(world, depart=complete, notice=(notice_from, complete))
    assert [x.severity for x in f.run("notice.before", short)] == ["block"]


def list_queries(user_pk: int) -> int:
    user = User.objects.get(pk=user_pk)  # a fresh user: no permission cache carried over
    with CaptureQueriesContext(connection) as captured:
        rows = [
            (
                t.applicant_unit.name,
                t.office.name,
                [m.person.name for m in t.members.all()],
                [leg.country.name_zh for leg in t.legs.all()],
                t.get_state_display(),
            )
            for t in selectors.trip_list(user)
        ]
    return len(captured), len(rows)


@pytest.mark.parametrize("role", ["unit_clerk", "fao_staff"])
def test_trip_list_runs_the_same_queries_for_3_and_12_trips(world, role):
    user = f.user(world, role)
    start, back = f.DEPART, f.DEPART + timedelta(days=4)
    legs = [
        f.leg("JP", "东京", start, start + timedelta(days=1)),
        f.leg("SG", "新加坡", start + timedelta(days=1), start + timedelta(days=1), True),
        f.leg("KR", "首尔", start + timedelta(days=1), back),
    ]
    for n in range(3):
        f.make_trip(world, members=n + 1, legs=legs, return_=back)
    few, count = list_queries(user.pk)
    assert count == 3
    for n in range(9):
        f.make_trip(world, members=(n % 4) + 1, depart=f.DEPART + timedelta(days=10 * (n + 1)))
    f.make_trip(world, unit=world.unit_b)  # outside both users' scope
    many, count = list_queries(user.pk)
    assert count == 12
    assert many == few


def test_search_finds_trips_by_number_mission_and_member_within_scope(world):
    traveller = f.person(world.unit_a, name="上官婉儿")
    trip = f.make_trip(world, members=[traveller], mission="出席世界城市峰会", state=TripState.APPROVED)
    f.make_trip(world, unit=world.unit_b, mission="出席世界城市峰会")
    for query in ("世界城市", "上官婉", trip.approval_number, "婉", "婉儿", "sgwe", "SGW", "shangguan"):
        hits = selectors.search_trips(f.clerk(world), query)
        assert [hit.url for hit in hits] == [trip.get_absolute_url()], query
    assert selectors.search_trips(f.clerk(world, world.unit_a2), "世界城市") == []


def test_the_trip_list_search_finds_by_member_once_and_shows_the_latest_first(client, world):
    """The list's search box and the global search match the same way (a member by characters, pinyin or
    initials); a trip with two matching members is listed once; the search lists the latest first."""
    first, second = f.person(world.unit_a, name="欧阳修"), f.person(world.unit_a, name="欧阳询")
    older = f.make_trip(world, members=[first, second], depart=f.DEPART)
    newer = f.make_trip(world, members=[first], depart=f.DEPART + timedelta(days=40))
    f.make_trip(world, members=1)
    clerk = f.clerk(world)
    client.force_login(clerk)
    for query in ("欧阳", "oy", "ouyang"):
        page = client.get(reverse("travel:trip_list"), {"q": query}).content.decode()
        links = re.findall(r'href="(/travel/trips/\d+/)"', page)
        assert list(dict.fromkeys(links)) == [newer.get_absolute_url(), older.get_absolute_url()], query
        assert [hit.url for hit in selectors.search_trips(clerk, query)] == [
            newer.get_absolute_url(),
            older.get_absolute_url(),
        ]


def test_trip_findings_and_history(world):
    trip = f.make_trip(world, plan=False, state=TripState.SUBMITTED)
    assert [x.code for x in selectors.trip_findings(trip)] == ["plan.outside"]
    assert selectors.trip_findings(trip) == rules.check(trip)
    services.trip_review(actor=f.staff(world), trip=trip)
    assert [e.action for e in selectors.trip_history(trip)] == ["create", "sign_off", "submit", "review"]


def test_work_queue_and_search_write_the_departure_date_in_chinese(world):
    """The home page's work items and the search hits name a trip's departure as 2026年5月1日, not ISO."""
    trip = f.make_trip(
        world,
        depart=date(2027, 3, 8),
        return_=date(2027, 3, 12),
        mission="出席陶瓷论坛",
        state=TripState.RETURNED,
    )
    with translation.override("zh-hans"):
        titles = [
            item.title
            for work_list in selectors.work_items(f.clerk(world))
            for item in work_list.items
            if item.url == trip.get_absolute_url()
        ]
        hits = selectors.search_trips(f.clerk(world), "陶瓷论坛")
    assert titles and all("2027年3月8日" in t and "2027-03-08" not in t for t in titles)
    assert all("：" in t and ": " not in t for t in titles)  # a Chinese colon after what is due
    assert hits and "2027年3月8日" in hits[0].subtitle and "2027-03-08" not in hits[0].subtitle
