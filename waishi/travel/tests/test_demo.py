"""The demo trips: Jingdezhen's 2023 figures as the seed reports them, every state in the current pipeline,
idempotence, and a work queue for each demo role.

Loading takes several seconds, so one test loads once and checks everything.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from waishi.core.navigation import work_queue
from waishi.directory.demo import load_directory
from waishi.directory.models import Organization
from waishi.passports.demo import load_documents
from waishi.travel.choices import Severity, TripCategory, TripState
from waishi.travel.demo import load_trips
from waishi.travel.models import PerDiemRate, PlanEntry, Trip, TripEvent, TripMember
from waishi.travel.rules import RULES, check
from waishi.travel.tests.factories import speed_up
from waishi.users.demo import load_accounts
from waishi.users.models import User

TODAY = date(2026, 11, 22)
SPAN = (date(2023, 1, 1), date(2023, 11, 30))


def office_trips(code: str):
    return Trip.objects.filter(office__path__startswith=Organization.objects.get(code=code).path)


def figures(trips) -> tuple[int, int]:
    """(batches, person-times) as the report counts them."""
    return trips.count(), TripMember.objects.filter(trip__in=trips).count()


def totals() -> tuple[int, ...]:
    return (
        Trip.objects.count(),
        TripMember.objects.count(),
        TripEvent.objects.count(),
        PlanEntry.objects.count(),
        PerDiemRate.objects.count(),
        User.objects.count(),
    )


def test_load_trips(db, settings, tmp_path):
    speed_up(settings, tmp_path)
    load_directory()
    load_accounts()
    result = load_trips(today=TODAY)
    assert result["trips"] == Trip.objects.count() > 0

    # Jingdezhen, approved from 1 January to 30 November 2023: the seed's figures.
    jdz = office_trips("jdz-fao")
    span = jdz.filter(approved_on__range=SPAN)
    assert figures(span) == (13, 42)
    assert figures(span.filter(is_cross_unit=True)) == (2, 6)
    assert figures(span.filter(category=TripCategory.HKMO)) == (2, 7)
    assert figures(span.filter(state=TripState.CANCELLED)) == (1, 2)
    for trip in span.filter(is_cross_unit=True):
        assert len({m.person.organization_id for m in trip.members.select_related("person")}) > 1
        assert trip.sending_units.count() > 1
    for trip in span.filter(category=TripCategory.HKMO):
        assert set(trip.legs.values_list("country", flat=True)) <= {"HK", "MO"}
    travelled = span.exclude(state=TripState.CANCELLED)
    assert set(travelled.values_list("state", flat=True)) <= {
        TripState.CLOSED,
        TripState.EVALUATED,
        TripState.REPORTED,
    }
    assert all(trip.came_back_on for trip in travelled)

    # Numbered 景外审〔2023〕1号 to 13号 without a gap, in the order of approval.
    numbered = list(span.order_by("approval_seq").values_list("approval_number", "approved_on"))
    assert [number for number, _day in numbered] == [f"景外审〔2023〕{n}号" for n in range(1, 14)]
    assert [day for _number, day in numbered] == sorted(day for _number, day in numbered)
    # The span matters: a December approval and the year before lie outside it.
    assert jdz.get(approved_on__year=2023, approved_on__month=12).approval_number == "景外审〔2023〕14号"
    assert jdz.filter(approved_on__range=(date(2022, 1, 1), date(2022, 11, 30))).count() >= 2

    # The current pipeline of each office shows every state.
    for code in ("jdz-fao", "cq-fao"):
        current = office_trips(code).filter(depart_date__gte=date(TODAY.year, 1, 1))
        assert set(current.values_list("state", flat=True)) == set(TripState.values), code
        assert current.filter(category=TripCategory.HKMO).exists(), code
        assert current.filter(is_cross_unit=True).exists(), code
    assert 30 <= office_trips("cq-fao").count() <= 45
    escalated = Trip.objects.filter(state=TripState.ESCALATED)
    assert escalated and all(trip.deciding_office.code == "prov-fao" for trip in escalated)

    # Histories are the services' own, dated in the story and never after today.
    end_of_today = timezone.make_aware(datetime.combine(TODAY, time.max))
    assert not TripEvent.objects.filter(at__gt=end_of_today).exists()
    for trip in Trip.objects.exclude(approved_on=None):
        approval = trip.events.get(action="approve")
        assert timezone.localtime(approval.at).date() == trip.approved_on
        assert approval.actor.organization_id == trip.deciding_office_id

    # A second load adds nothing, on the same day or a later one.
    before = totals()
    assert load_trips(today=TODAY)["trips"] == 0
    assert load_trips(today=TODAY + timedelta(days=40))["trips"] == 0
    assert totals() == before

    # Every demo role has something to do.
    for username in (
        "clerk",
        "leader",
        "staff",
        "director",
        "province",
        "cq-clerk",
        "cq-staff",
        "cq-director",
    ):
        assert work_queue(User.objects.get(username=username)).items, username


# The finding each draft of ``finding_drafts`` is there to show.
SHOWN = {
    "赴法国、德国、意大利、英国开展陶瓷艺术设计合作办学交流": "countries.max",
    "赴韩国首尔开展陶瓷材料学科建设交流": "overlap.member",
    "赴新加坡参加亚洲先进陶瓷材料国际会议": "invitation.dates",
    "赴日本有田町参加有田陶器市并开展陶瓷设计交流": "invitation.invitees",
    "赴新加坡开展智慧医院建设交流合作": "frequency.rank",
    "赴日本开展重点产业链招商推介": "leaders.same_unit",
    "赴香港举办重庆文化旅游周系列活动": "hkmo.stay",
    "赴马来西亚开展西部陆海新通道经贸合作推介": "unit.locked",
    "赴韩国首尔、釜山开展医院管理与护理交流": "itinerary.dates",
    "赴法国开展法语人才培养合作交流": "members.head",
}


def test_every_rule_shows_on_a_demo_trip(db, settings, tmp_path):
    speed_up(settings, tmp_path)
    load_directory()
    load_accounts()
    load_trips(today=TODAY)
    load_documents(today=TODAY)

    findings = {trip: check(trip) for trip in Trip.objects.all()}
    assert {f.code for found in findings.values() for f in found} >= set(RULES)
    drafts = {trip.mission: trip for trip in findings if trip.mission in SHOWN}
    assert len(drafts) == len(SHOWN)
    for mission, code in SHOWN.items():
        trip = drafts[mission]
        assert trip.state == TripState.DRAFT, mission
        assert code in {f.code for f in findings[trip]}, mission
    assert {
        f.severity for f in findings[drafts["赴香港举办重庆文化旅游周系列活动"]] if f.code == "hkmo.stay"
    } == {Severity.WARN}
