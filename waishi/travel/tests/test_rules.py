"""The rules of outbound trips (DOMAIN.md "Outbound trips — default rules") at their boundaries.

Rules that read only the trip run on unsaved facts (``factories.facts``), so hypothesis examples write
nothing; rules that read other rows (earlier trips, attachments, per-diem rates) run on trips filed through
the services, one per test.
"""

from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
import pytest
from django.utils import translation
from django.utils.formats import date_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waishi.core.models import WorkdayOverride
from waishi.core.services import office_setting_set
from waishi.core.workdays import is_workday, workdays_between
from waishi.directory.choices import Rank
from waishi.directory.models import Country
from waishi.travel import rules
from waishi.travel.choices import TripState
from waishi.travel.tests import factories as f
from waishi.travel.tests.factories import DEPART, leg

pytestmark = pytest.mark.django_db

HYPO = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BLOCK, WARN = "block", "warn"

NORMAL = ["JP", "KR", "DE", "FR", "SG", "TH"]  # countries under the ordinary day table
EXTENDED = ["EG", "BR", "KE", "ZA", "AR", "NG"]  # Africa and Latin America: one day more


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    f.speed_up(settings, tmp_path)


@pytest.fixture
def countries(world):
    return Country.objects.in_bulk()


def severities(findings, code: str) -> list[str]:
    return [x.severity for x in findings if x.code == code]


def itinerary(codes_: list[str], depart: date, days: int, airside: tuple[str, ...] = ()) -> list[tuple]:
    """One stop per country (in order, sharing the trip's days), plus airside transits on the first day."""
    back = depart + timedelta(days=days - 1)
    stops = [leg(code, f"城市{i}", depart, back) for i, code in enumerate(codes_)]
    return [leg(code, "转机", depart, depart, True) for code in airside] + stops


# --- the clean trip and the findings' shape --------------------------------------------------------


def test_a_clean_trip_has_no_finding(world):
    trip = f.make_trip(world)
    assert [x.as_dict() for x in rules.check(trip)] == []


def test_a_clean_hong_kong_trip_has_no_finding(world):
    f.rate(world, "HK", "", "HKD", 1200, 400, 150)
    back = DEPART + timedelta(days=6)
    legs = [
        leg("HK", "香港", DEPART, DEPART + timedelta(days=3)),
        leg("MO", "澳门", DEPART + timedelta(days=3), back),
    ]
    trip = f.make_trip(world, category="hkmo", legs=legs, return_=back, inviter_name="香港贸易发展局")
    # Macao has no rate here: its stop cannot be checked, which is only a warning.
    assert [(x.code, x.severity) for x in rules.check(trip)] == [("budget.standard", WARN)]
    f.rate(world, "MO", "", "MOP", 1100, 380, 140)
    trip = f.make_trip(world, category="hkmo", legs=legs, return_=back, inviter_name="香港贸易发展局")
    assert rules.check(trip) == []


def test_the_rule_table_names_every_rule_of_the_domain():
    domain = {
        "countries.max",
        "days.max",
        "members.max",
        "frequency.rank",
        "leaders.same_unit",
        "invitation.attached",
        "invitation.inviter",
        "invitation.invitees",
        "invitation.dates",
        "regions.naming",
        "budget.standard",
        "notice.before",
        "overlap.member",
        "hkmo.stay",
        "plan.outside",
    }
    assert domain <= set(rules.RULES)
    assert {"members.head", "itinerary.dates"} <= set(rules.RULES)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_finding_has_a_code_severity_message_and_fields(world, language):
    bureau = f.person(world.unit_a, rank=Rank.BUREAU, position="局长")
    f.make_trip(world, members=[bureau], depart=DEPART - timedelta(days=200), state=TripState.APPROVED)
    trip = f.make_trip(
        world,
        members=[bureau, *(f.person(world.unit_a, position="书记") for _ in range(7))],
        heads=2,
        legs=[
            leg("JP", "大阪", DEPART, DEPART + timedelta(days=20)),
            leg("HK", "香港", DEPART, DEPART),
            leg("TW", "台北", DEPART, DEPART),
            leg("DE", "柏林", DEPART, DEPART),
            leg("FR", "巴黎", DEPART - timedelta(days=1), DEPART),
        ],
        return_=DEPART + timedelta(days=20),
        invitees=[],
        invitation=(DEPART, DEPART + timedelta(days=3)),
        signed=False,
        inviter_kind="intermediary",
        notice=(DEPART - timedelta(days=2), DEPART),
        budget=[{"kind": "lodging", "currency": "EUR", "amount": Decimal(1)}],
        plan=False,
        attach=False,
    )
    with translation.override(language):
        findings = rules.check(trip)
    found = {x.code for x in findings}
    assert found >= {
        "members.head",
        "members.max",
        "itinerary.dates",
        "regions.naming",
        "countries.max",
        "days.max",
        "frequency.rank",
        "leaders.same_unit",
        "invitation.attached",
        "invitation.inviter",
        "invitation.invitees",
        "invitation.dates",
        "notice.before",
        "budget.standard",
        "plan.outside",
    }
    for finding in findings:
        assert finding.code in rules.RULES
        assert finding.severity in {BLOCK, WARN}
        assert isinstance(finding.message, str) and finding.message.strip()
        assert finding.fields and all(isinstance(name, str) and name for name in finding.fields)
        assert finding.as_dict() == {
            "code": finding.code,
            "severity": finding.severity,
            "message": finding.message,
            "fields": list(finding.fields),
        }
    # Blocking findings come first.
    order = [x.severity for x in findings]
    assert order == sorted(order, key=lambda s: s != BLOCK)
    assert rules.blocking(findings) == [x for x in findings if x.severity == BLOCK]


# --- days.max ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visited", "ok_days"),
    [
        (["JP"], 5),
        (["EG"], 6),
        (["BR"], 6),
        (["JP", "KR"], 8),
        (["EG", "KE"], 9),
        (["JP", "EG"], 9),  # one African country makes the trip an Africa trip
        (["JP", "KR", "DE"], 10),
        (["BR", "AR", "JP"], 11),
    ],
)
def test_days_max_boundary(world, countries, visited, ok_days):
    ok = f.facts(world, days=ok_days, legs=itinerary(visited, DEPART, ok_days), countries=countries)
    over = f.facts(world, days=ok_days + 1, legs=itinerary(visited, DEPART, ok_days + 1), countries=countries)
    assert f.run("days.max", ok) == []
    assert severities(f.run("days.max", over), "days.max") == [BLOCK]


def test_days_are_counted_from_the_day_of_leaving_to_the_day_of_reentry(world, countries):
    facts = f.facts(world, depart=date(2025, 6, 9), days=5, countries=countries)
    assert (facts.trip.depart_date, facts.trip.return_date) == (date(2025, 6, 9), date(2025, 6, 13))
    assert facts.days_abroad == 5


def test_extended_countries_are_those_of_africa_and_latin_america(countries):
    assert countries["EG"].extended_stay and countries["BR"].extended_stay and countries["KE"].extended_stay
    assert not countries["JP"].extended_stay and not countries["DE"].extended_stay


def test_an_airside_transit_is_not_a_country_for_the_day_table(world, countries):
    # Japan plus an airside change in Korea: one country, so 6 days are too many.
    airside = f.facts(world, days=6, legs=itinerary(["JP"], DEPART, 6, airside=("KR",)), countries=countries)
    assert severities(f.run("days.max", airside), "days.max") == [BLOCK]
    # The same stop outside the airport is a second country: 6 days are fine.
    landside = f.facts(world, days=6, legs=itinerary(["KR", "JP"], DEPART, 6), countries=countries)
    assert f.run("days.max", landside) == []
    # An airside transit in Africa does not make the trip an Africa trip.
    via_africa = f.facts(
        world, days=6, legs=itinerary(["JP"], DEPART, 6, airside=("EG",)), countries=countries
    )
    assert severities(f.run("days.max", via_africa), "days.max") == [BLOCK]


@HYPO
@given(
    data=st.data(),
    count=st.integers(1, 3),
    extended=st.integers(0, 3),
    days=st.integers(1, 14),
    repeat=st.booleans(),
    airside=st.integers(0, 2),
)
def test_days_max_property(world, countries, data, count, extended, days, repeat, airside):
    extended = min(extended, count)
    visited = EXTENDED[:extended] + NORMAL[: count - extended]
    visited = data.draw(st.permutations(visited))
    if repeat:  # a second stop in a country already visited does not add a country
        visited = [*visited, visited[0]]
    transits = tuple(NORMAL[-1 - i] for i in range(airside))
    facts = f.facts(world, days=days, legs=itinerary(visited, DEPART, days, transits), countries=countries)
    table = {1: 6, 2: 9, 3: 11} if extended else {1: 5, 2: 8, 3: 10}
    expected = [BLOCK] if days > table[count] else []
    assert severities(f.run("days.max", facts), "days.max") == expected


# --- countries.max -----------------------------------------------------------------------------------


def test_countries_max_boundary(world, countries):
    three = f.facts(world, days=10, legs=itinerary(["JP", "KR", "SG"], DEPART, 10), countries=countries)
    four = f.facts(world, days=10, legs=itinerary(["JP", "KR", "SG", "TH"], DEPART, 10), countries=countries)
    assert f.run("countries.max", three) == []
    assert severities(f.run("countries.max", four), "countries.max") == [BLOCK]


def test_a_transit_stop_counts_unless_it_stays_airside(world, countries):
    airside = f.facts(
        world, legs=itinerary(["JP", "KR", "SG"], DEPART, 5, airside=("TH",)), countries=countries
    )
    assert f.run("countries.max", airside) == []
    landside = f.facts(world, legs=itinerary(["TH", "JP", "KR", "SG"], DEPART, 5), countries=countries)
    assert severities(f.run("countries.max", landside), "countries.max") == [BLOCK]


@HYPO
@given(visited=st.integers(1, 6), airside=st.integers(0, 3), repeats=st.integers(0, 2))
def test_countries_max_property(world, countries, visited, airside, repeats):
    codes_ = NORMAL[:visited]
    codes_ = codes_ + codes_[:repeats]
    transits = tuple(EXTENDED[:airside])
    facts = f.facts(world, days=5, legs=itinerary(codes_, DEPART, 5, transits), countries=countries)
    assert severities(f.run("countries.max", facts), "countries.max") == ([BLOCK] if visited > 3 else [])


# --- members.max and the office's settings --------------------------------------------------------------


@HYPO
@given(count=st.integers(1, 10))
def test_members_max_property(world, count):
    facts = f.facts(world, members=count)
    assert severities(f.run("members.max", facts), "members.max") == ([BLOCK] if count > 6 else [])


def test_members_max_boundary(world):
    assert f.run("members.max", f.facts(world, members=6)) == []
    assert severities(f.run("members.max", f.facts(world, members=7)), "members.max") == [BLOCK]


def test_an_office_setting_changes_the_boundary_for_that_office_only(world):
    office_setting_set(
        actor=f.approver(world, world.city_a), office=world.city_a, key="travel.members.max", value=8
    )
    # Units under city A (both of them) may send 8, not 9.
    for unit in (world.unit_a, world.unit_a2):
        assert f.run("members.max", f.facts(world, members=8, unit=unit)) == []
        assert severities(f.run("members.max", f.facts(world, members=9, unit=unit)), "members.max") == [
            BLOCK
        ]
    # City B keeps the national default.
    assert f.run("members.max", f.facts(world, members=6, unit=world.unit_b)) == []
    assert severities(f.run("members.max", f.facts(world, members=7, unit=world.unit_b)), "members.max") == [
        BLOCK
    ]
    # A trip filed through the services reads the same setting.
    trip = f.make_trip(world, members=8)
    assert rules.check(trip) == []


# --- members.head, itinerary.dates ------------------------------------------------------------------------


def test_members_head(world):
    facts = f.facts(world, members=3)
    assert f.run("members.head", facts) == []
    facts.members[1].role = "head"
    assert severities(f.run("members.head", facts), "members.head") == [BLOCK]
    for member in facts.members:
        member.role = "member"
    assert severities(f.run("members.head", facts), "members.head") == [BLOCK]
    assert severities(f.run("members.head", f.facts(world, members=0, ranks=[])), "members.head") == [BLOCK]


@pytest.mark.parametrize(
    ("arrive", "depart", "ok"),
    [
        (0, 4, True),  # the whole trip
        (2, 2, True),  # one day inside
        (-1, 4, False),  # arrives before leaving China
        (0, 5, False),  # leaves after re-entering China
        (3, 2, False),  # leaves the stop before arriving
    ],
)
def test_itinerary_dates(world, countries, arrive, depart, ok):
    legs = [leg("JP", "东京", DEPART + timedelta(days=arrive), DEPART + timedelta(days=depart))]
    found = f.run("itinerary.dates", f.facts(world, days=5, legs=legs, countries=countries))
    assert severities(found, "itinerary.dates") == ([] if ok else [BLOCK])


@pytest.mark.parametrize(("language", "dates"), [("zh-hans", "年"), ("en", ", ")])
def test_a_rules_message_writes_its_dates_as_the_page_does(world, countries, language, dates):
    """Found on the trip page: the message gave 2027-01-02 beside dates the page writes 2027年1月2日."""
    legs = [leg("JP", "东京", DEPART - timedelta(days=1), DEPART + timedelta(days=2))]
    with translation.override(language):
        (finding,) = f.run("itinerary.dates", f.facts(world, days=5, legs=legs, countries=countries))
        assert date_format(DEPART + timedelta(days=2)) in finding.message
    assert (DEPART + timedelta(days=2)).isoformat() not in finding.message and dates in finding.message


def test_an_itinerary_without_stops_is_blocked(world):
    assert severities(f.run("itinerary.dates", f.facts(world, legs=[])), "itinerary.dates") == [BLOCK]


# --- regions.naming, hkmo.stay ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "stops", "blocked"),
    [
        ("abroad", ["JP"], False),
        ("abroad", ["JP", "HK"], True),  # Hong Kong is never a country
        ("abroad", ["MO"], True),
        ("abroad", ["TW"], True),  # Taiwan is never handled as a trip abroad
        ("hkmo", ["HK", "MO"], False),
        ("hkmo", ["TW"], True),
        ("hkmo", ["HK", "JP"], True),  # a Hong Kong or Macao trip stops only there
    ],
)
def test_regions_naming(world, countries, category, stops, blocked):
    facts = f.facts(world, category=category, legs=itinerary(stops, DEPART, 3), days=3, countries=countries)
    found = severities(f.run("regions.naming", facts), "regions.naming")
    assert (found != []) == blocked
    assert set(found) <= {BLOCK}


def test_countries_and_days_tables_do_not_apply_to_hong_kong_or_macao_trips(world, countries):
    facts = f.facts(
        world, category="hkmo", legs=itinerary(["HK", "MO"], DEPART, 7), days=7, countries=countries
    )
    assert f.run("days.max", facts) == [] and f.run("countries.max", facts) == []
    assert f.run("hkmo.stay", f.facts(world, category="abroad", days=40, countries=countries)) == []


@pytest.mark.parametrize(("days", "expected"), [(7, []), (8, [WARN]), (30, [WARN]), (31, [BLOCK])])
def test_hkmo_stay_boundaries(world, countries, days, expected):
    facts = f.facts(
        world, category="hkmo", legs=itinerary(["HK"], DEPART, days), days=days, countries=countries
    )
    assert severities(f.run("hkmo.stay", facts), "hkmo.stay") == expected


@HYPO
@given(days=st.integers(1, 45))
def test_hkmo_stay_property(world, countries, days):
    facts = f.facts(
        world, category="hkmo", legs=itinerary(["MO"], DEPART, days), days=days, countries=countries
    )
    expected = [BLOCK] if days > 30 else [WARN] if days > 7 else []
    assert severities(f.run("hkmo.stay", facts), "hkmo.stay") == expected


# --- notice.before -----------------------------------------------------------------------------------------


def notice_facts(world, notice_from: date, notice_to: date, depart: date):
    return f.facts(world, depart=depart, notice=(notice_from, notice_to))


def test_notice_five_working_days_ok_four_blocked(world):
    depart = date(2025, 3, 17)  # Monday; the week before has no holiday
    assert f.run("notice.before", notice_facts(world, date(2025, 3, 10), date(2025, 3, 14), depart)) == []
    blocked = f.run("notice.before", notice_facts(world, date(2025, 3, 11), date(2025, 3, 14), depart))
    assert severities(blocked, "notice.before") == [BLOCK]
    # Days of notice after departure do not count.
    late = f.run("notice.before", notice_facts(world, date(2025, 3, 11), date(2025, 3, 21), depart))
    assert severities(late, "notice.before") == [BLOCK]


def test_notice_missing_is_blocked(world):
    assert severities(f.run("notice.before", f.facts(world)), "notice.before") == [BLOCK]


def test_notice_across_national_day_2024(world):
    # Oct 1-7 are holidays; Sunday Sep 29 and Saturday Oct 12 are make-up working days.
    assert is_workday(date(2024, 9, 29)) and is_workday(date(2024, 10, 12))
    assert not any(is_workday(date(2024, 10, day)) for day in range(1, 8))
    # Sep 27, Sep 29, Sep 30, Oct 8, Oct 9: five working days in thirteen calendar days.
    assert workdays_between(date(2024, 9, 27), date(2024, 10, 9)) == 5
    assert (
        f.run("notice.before", notice_facts(world, date(2024, 9, 27), date(2024, 10, 9), date(2024, 10, 10)))
        == []
    )
    # Starting a day later loses Sep 27: four working days, although twelve calendar days remain.
    later = notice_facts(world, date(2024, 9, 28), date(2024, 10, 9), date(2024, 10, 10))
    assert workdays_between(date(2024, 9, 28), date(2024, 10, 9)) == 4
    assert severities(f.run("notice.before", later), "notice.before") == [BLOCK]
    # Starting on the make-up Sunday counts it.
    assert workdays_between(date(2024, 9, 29), date(2024, 10, 9)) == 4
    assert workdays_between(date(2024, 9, 29), date(2024, 10, 10)) == 5
    sunday = notice_facts(world, date(2024, 9, 29), date(2024, 10, 10), date(2024, 10, 11))
    assert f.run("notice.before", sunday) == []
    # Leaving on Oct 9 leaves four working days of notice.
    early = notice_facts(world, date(2024, 9, 27), date(2024, 10, 9), date(2024, 10, 9))
    assert severities(f.run("notice.before", early), "notice.before") == [BLOCK]
    # The make-up Saturday Oct 12 counts: Oct 10, 11, 12, 14, 15 are five working days.
    assert workdays_between(date(2024, 10, 10), date(2024, 10, 15)) == 5
    assert (
        f.run(
            "notice.before", notice_facts(world, date(2024, 10, 10), date(2024, 10, 15), date(2024, 10, 16))
        )
        == []
    )


def test_notice_follows_the_administrators_overrides(world):
    depart = date(2025, 3, 17)
    facts = notice_facts(world, date(2025, 3, 10), date(2025, 3, 14), depart)
    assert f.run("notice.before", facts) == []
    WorkdayOverride.objects.create(date=date(2025, 3, 12), kind="holiday", name="地方假日")
    assert severities(f.run("notice.before", facts), "notice.before") == [BLOCK]
    # A notice running into the weekend gains nothing, unless that Saturday is made a working day.
    longer = notice_facts(world, date(2025, 3, 10), date(2025, 3, 16), depart)
    assert severities(f.run("notice.before", longer), "notice.before") == [BLOCK]
    WorkdayOverride.objects.create(date=date(2025, 3, 15), kind="workday", name="调休")
    assert f.run("notice.before", longer) == []


@HYPO
@given(
    start=st.dates(date(2024, 9, 10), date(2024, 10, 20)) | st.dates(date(2025, 1, 15), date(2025, 2, 15)),
    length=st.integers(0, 15),
    lead=st.integers(1, 20),
)
def test_notice_property_agrees_with_the_calendar(world, start, length, lead):
    end, depart = start + timedelta(days=length), start + timedelta(days=lead)
    last = min(end, depart - timedelta(days=1))
    # An oracle independent of waishi.core.workdays: the chinese-calendar package itself.
    expected = sum(chinese_calendar.is_workday(start + timedelta(n)) for n in range((last - start).days + 1))
    assert workdays_between(start, last) == expected
    found = severities(f.run("notice.before", notice_facts(world, start, end, depart)), "notice.before")
    assert found == ([BLOCK] if expected < 5 else [])


# --- leaders.same_unit -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("positions", "warned"),
    [
        (["局长", "党委书记"], True),
        (["局长", "局长"], True),
        (["局长", "副局长"], False),
        (["副书记", "局长"], False),
        (["局长", "处长"], False),
    ],
)
def test_leaders_same_unit(world, positions, warned):
    facts = f.facts(world, ranks=[Rank.DIVISION] * len(positions), positions=positions)
    assert severities(f.run("leaders.same_unit", facts), "leaders.same_unit") == ([WARN] if warned else [])


def test_two_principal_staff_members_are_not_principal_leaders(world):
    facts = f.facts(world, ranks=[Rank.SECTION] * 2, positions=["一级主任科员", "二级主任科员"])
    assert f.run("leaders.same_unit", facts) == []


def test_principal_leaders_of_different_units_may_travel_together(world):
    facts = f.facts(world, ranks=[Rank.BUREAU] * 2, positions=["局长", "局长"])
    facts.members[1].person.organization = world.unit_a2
    assert f.run("leaders.same_unit", facts) == []


# --- rules that read other rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "days_earlier", "earlier_state", "blocked"),
    [
        (Rank.BUREAU, 365, TripState.APPROVED, True),
        (Rank.BUREAU, 365 * 3, TripState.APPROVED, False),
        (Rank.BUREAU, 365, TripState.CLOSED, True),  # approved, whatever happened after
        (Rank.BUREAU, 365, TripState.CANCELLED, False),  # did not travel
        (Rank.BUREAU, 365, TripState.SUBMITTED, False),  # not approved
        (Rank.DEPUTY_BUREAU, 365, TripState.APPROVED, True),
        (Rank.DIVISION, 30, TripState.APPROVED, False),  # no limit for this rank
    ],
)
def test_frequency_rank(world, rank, days_earlier, earlier_state, blocked):
    traveller = f.person(world.unit_a, rank=rank, position="局长" if rank == Rank.BUREAU else "副局长")
    earlier = DEPART - timedelta(days=days_earlier)
    f.make_trip(world, members=[traveller], depart=earlier, state=earlier_state)
    trip = f.make_trip(world, members=[traveller, f.person(world.unit_a)])
    assert severities(f.run("frequency.rank", trip), "frequency.rank") == ([BLOCK] if blocked else [])


def test_frequency_rank_counts_an_approved_trip_later_in_the_window(world):
    traveller = f.person(world.unit_a, rank=Rank.BUREAU, position="局长")
    f.make_trip(world, members=[traveller], depart=DEPART + timedelta(days=90), state=TripState.APPROVED)
    trip = f.make_trip(world, members=[traveller])
    # Both would be approved: two trips within two years for a bureau head.
    assert severities(f.run("frequency.rank", trip), "frequency.rank") == [BLOCK]


@pytest.mark.parametrize(
    ("shift", "other_state", "blocked"),
    [
        (0, TripState.SUBMITTED, True),
        (4, TripState.SUBMITTED, True),  # the other trip leaves on the day this one comes back
        (5, TripState.SUBMITTED, False),  # the day after
        (-5, TripState.APPROVED, False),  # the other comes back the day before this one leaves
        (-4, TripState.APPROVED, True),
        (2, TripState.DEPARTED, True),
        (0, TripState.DRAFT, False),  # a draft is not yet a trip
        (0, TripState.CANCELLED, False),
        (0, TripState.REJECTED, False),
    ],
)
def test_overlap_member(world, shift, other_state, blocked):
    shared = f.person(world.unit_a)
    other = f.make_trip(world, members=[shared], depart=DEPART + timedelta(days=shift))
    f.advance(world, other, other_state)
    trip = f.make_trip(world, members=[f.person(world.unit_a), shared])
    assert severities(f.run("overlap.member", trip), "overlap.member") == ([BLOCK] if blocked else [])


def test_invitation_attached(world):
    assert severities(
        f.run("invitation.attached", f.make_trip(world, attach=False)), "invitation.attached"
    ) == [BLOCK]
    other_file = f.make_trip(world, attach="agenda")
    assert severities(f.run("invitation.attached", other_file), "invitation.attached") == [BLOCK]
    unsigned = f.make_trip(world, signed=False)
    assert severities(f.run("invitation.attached", unsigned), "invitation.attached") == [BLOCK]
    anonymous = f.make_trip(world, inviter_name="")
    assert severities(f.run("invitation.attached", anonymous), "invitation.attached") == [BLOCK]
    assert f.run("invitation.attached", f.make_trip(world)) == []


@pytest.mark.parametrize(
    ("kind", "refused"),
    [
        ("intermediary", True),
        ("foreign_mission", True),
        ("overseas_chinese", True),
        ("government", False),
        ("university", False),
        ("enterprise", False),
        ("association", False),
        ("other", False),
    ],
)
def test_invitation_inviter(world, kind, refused):
    trip = f.make_trip(world, inviter_kind=kind)
    assert severities(f.run("invitation.inviter", trip), "invitation.inviter") == ([BLOCK] if refused else [])


def test_invitation_invitees(world):
    members = [f.person(world.unit_a, name="欧阳明"), f.person(world.unit_a)]
    trip = f.make_trip(world, members=members, invitees=["欧阳明"])
    found = f.run("invitation.invitees", trip)
    assert severities(found, "invitation.invitees") == [BLOCK]
    assert members[1].name in found[0].message
    # Spacing inside a name in the invitation does not matter.
    spaced = f.make_trip(world, members=[f.person(world.unit_a, name="司马光")], invitees=["司马 光"])
    assert f.run("invitation.invitees", spaced) == []


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (0, 4, True),  # exactly the trip's dates
        (-10, 10, True),
        (1, 4, False),  # starts a day after departure
        (0, 3, False),  # ends the day before return
    ],
)
def test_invitation_dates(world, start, end, ok):
    trip = f.make_trip(world, invitation=(DEPART + timedelta(days=start), DEPART + timedelta(days=end)))
    assert severities(f.run("invitation.dates", trip), "invitation.dates") == ([] if ok else [BLOCK])


def test_invitation_without_dates_is_blocked(world):
    assert severities(f.run("invitation.dates", f.make_trip(world, invitation=None)), "invitation.dates") == [
        BLOCK
    ]


def test_plan_outside_warns(world):
    assert severities(f.run("plan.outside", f.make_trip(world, plan=False)), "plan.outside") == [WARN]
    assert f.run("plan.outside", f.make_trip(world)) == []


# --- budget.standard ----------------------------------------------------------------------------------


def lines(**amounts) -> list[dict]:
    """``lodging="160000 JPY"`` → budget lines."""
    result = []
    for kind, text in amounts.items():
        amount, currency = text.split()
        result.append({"kind": kind, "currency": currency, "amount": Decimal(amount)})
    return result


TOKYO_2 = {"lodging": "160000 JPY", "meals": "100000 JPY", "incidentals": "50000 JPY"}  # 5 days, 2 people


def test_budget_equal_to_the_standard_is_allowed(world):
    # Tokyo, 5 days (4 nights), 2 people: lodging 20000×4×2, meals 10000×5×2, incidentals 5000×5×2.
    trip = f.make_trip(world, members=2, budget=lines(**TOKYO_2, international_travel="30000 CNY"))
    assert f.run("budget.standard", trip) == []


@pytest.mark.parametrize("kind", ["lodging", "meals", "incidentals"])
def test_budget_over_the_standard_is_blocked(world, kind):
    amounts = dict(TOKYO_2)
    amount, currency = amounts[kind].split()
    amounts[kind] = f"{Decimal(amount) + Decimal('0.01')} {currency}"
    trip = f.make_trip(world, members=2, budget=lines(**amounts))
    assert severities(f.run("budget.standard", trip), "budget.standard") == [BLOCK]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_budget_over_the_standard_quotes_the_amounts_with_thousands_separators(world, language):
    trip = f.make_trip(world, members=2, budget=lines(**{**TOKYO_2, "lodging": "160000.01 JPY"}))
    with translation.override(language):
        [finding] = f.run("budget.standard", trip)
    assert "160,000.01 JPY" in finding.message and "160,000.00 JPY" in finding.message


def test_budget_lines_of_one_kind_are_added_up(world):
    budget = lines(**TOKYO_2) + lines(lodging="1 JPY")
    trip = f.make_trip(world, members=2, budget=budget)
    assert severities(f.run("budget.standard", trip), "budget.standard") == [BLOCK]


def test_budget_currency_is_compared_in_capitals(world):
    budget = [{**line, "currency": line["currency"].lower()} for line in lines(**TOKYO_2)]
    assert f.run("budget.standard", f.make_trip(world, members=2, budget=budget)) == []


def test_budget_in_a_currency_the_standard_does_not_use_warns(world):
    trip = f.make_trip(world, members=2, budget=lines(lodging="100 EUR"))
    assert severities(f.run("budget.standard", trip), "budget.standard") == [WARN]


def test_budget_without_a_rate_warns(world):
    back = DEPART + timedelta(days=4)
    trip = f.make_trip(world, legs=[leg("JP", "大阪", DEPART, back)], budget=lines(lodging="999999 JPY"))
    found = f.run("budget.standard", trip)
    assert severities(found, "budget.standard") == [WARN]
    assert "大阪" in found[0].message


def test_budget_across_two_stops_in_two_currencies(world):
    # Tokyo Jun 9-11, Seoul Jun 11-13, back Jun 13, one person: the day out goes to Tokyo, the day back
    # to Seoul; Tokyo 2 days and 2 nights, Seoul 3 days and 2 nights.
    third, back = DEPART + timedelta(days=2), DEPART + timedelta(days=4)
    legs = [leg("JP", "东京", DEPART, third), leg("KR", "首尔", third, back)]
    standard = lines(lodging="40000 JPY", meals="20000 JPY", incidentals="10000 JPY")
    standard += [
        {"kind": "lodging", "currency": "USD", "amount": Decimal(360)},
        {"kind": "meals", "currency": "USD", "amount": Decimal(210)},
        {"kind": "incidentals", "currency": "USD", "amount": Decimal(105)},
    ]
    trip = f.make_trip(world, members=1, legs=legs, budget=standard)
    assert f.run("budget.standard", trip) == []
    assert rules.check(trip) == []
    over = [dict(line) for line in standard]
    over[4]["amount"] += 1  # USD meals
    trip = f.make_trip(world, members=1, legs=legs, budget=over)
    assert severities(f.run("budget.standard", trip), "budget.standard") == [BLOCK]


def test_budget_uses_the_country_rate_where_the_city_has_none(world):
    f.rate(world, "JP", "", "JPY", 15000, 8000, 4000)
    back = DEPART + timedelta(days=4)
    budget = lines(lodging="60000 JPY", meals="40000 JPY", incidentals="20000 JPY")  # 1 person, 5 days
    trip = f.make_trip(world, members=1, legs=[leg("JP", "大阪", DEPART, back)], budget=budget)
    assert f.run("budget.standard", trip) == []
    budget = lines(lodging="60001 JPY")
    trip = f.make_trip(world, members=1, legs=[leg("JP", "大阪", DEPART, back)], budget=budget)
    assert severities(f.run("budget.standard", trip), "budget.standard") == [BLOCK]


def test_budget_rate_entered_in_lower_case_still_limits_the_budget(world):
    f.rate(world, "DE", "柏林", "eur", 150, 60, 30)
    back = DEPART + timedelta(days=4)
    trip = f.make_trip(
        world, members=1, legs=[leg("DE", "柏林", DEPART, back)], budget=lines(lodging="9999 EUR")
    )
    assert severities(f.run("budget.standard", trip), "budget.standard") == [BLOCK]
